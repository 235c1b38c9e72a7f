; wrtest.asm - WRTEST.COM for mkrescue's WRITABLE.BAT: can a file be written to drive X:?
;   WRTEST X:   errorlevel 0: yes (a test file was written and deleted), 1: no,
;               2: there is no drive X: (so a RAM disk driver may take that letter)
; Silent, and never asks "Abort, Retry, Fail": it fails every critical error itself (an
; empty floppy or CD drive, a write-protected disk). FreeCOM's IF EXIST X:\NUL is true
; for every drive letter, and a failed redirection prints an error, so a batch file
; cannot test this quietly.
; Assemble: nasm -f bin -o WRTEST.COM wrtest.asm (menu.py holds the bytes; a test compares)
        cpu 8086
        org 100h

        cmp al, 0FFh                    ; DOS sets AL to FFh when the first argument's drive is invalid
        je nodrive
        mov al, [5Ch]                   ; the drive DOS parsed into the first FCB: 1 = A:, 0 = none given
        or al, al
        jz nodrive
        add al, 'A' - 1
        mov [path], al
        mov ax, 2524h                   ; our critical error handler; DOS restores the old one at exit
        mov dx, fail
        int 21h
        mov ah, 3Ch                     ; create the test file
        xor cx, cx
        mov dx, path
        int 21h
        jc no
        mov bx, ax
        mov ah, 40h                     ; write to it: a full disk fails here
        mov cx, text_len
        mov dx, text
        int 21h
        pushf
        push ax
        mov ah, 3Eh                     ; close and delete it whatever happened
        int 21h
        mov ah, 41h
        mov dx, path
        int 21h
        pop ax
        popf
        jc no
        cmp ax, text_len
        jne no
        mov al, 0
        jmp quit
no:     mov al, 1
        jmp quit
nodrive: mov al, 2
quit:   mov ah, 4Ch
        int 21h

fail:   mov al, 3                       ; critical error: fail the call
        iret

path    db "?:\MKRTEST.TMP", 0
text    db "mkrescue write test", 13, 10
text_len equ $ - text
