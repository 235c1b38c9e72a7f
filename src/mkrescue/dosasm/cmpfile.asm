; cmpfile.asm - CMPFILE.COM for mkrescue's AUTOEXEC.BAT: compares two files byte by byte,
; so the copy on the RAM disk is known to be whole before the boot disk is taken out.
;   CMPFILE file1 file2   errorlevel 0: identical, 1: different, 2: a file cannot be read
; Assemble: nasm -f bin -o CMPFILE.COM cmpfile.asm (menu.py holds the bytes; a test compares)
        cpu 8086
        org 100h
BUFSZ   equ 4096

        cld
        mov si, 81h                     ; the command tail, ended by CR
        call name                       ; first file name -> DX, NUL-terminated
        mov ax, 3D00h                   ; open it for reading
        int 21h
        jc unreadable
        mov bp, ax
        call name
        mov ax, 3D00h
        int 21h
        jc unreadable
        mov di, ax                      ; handles: BP first file, DI second file
next:   mov bx, bp
        mov dx, buf1
        call read
        push ax
        mov bx, di
        mov dx, buf2
        call read
        pop cx
        cmp ax, cx
        jne different                   ; one file ended first
        jcxz same                       ; both ended together
        push di
        mov si, buf1
        mov di, buf2
        repe cmpsb
        pop di
        jne different
        jmp next

same:   mov al, 0
        jmp quit
different:
        mov al, 1
        jmp quit
unreadable:
        mov al, 2
quit:   mov ah, 4Ch                     ; DOS closes the files
        int 21h

read:   mov ah, 3Fh                     ; BX handle, DX buffer -> AX bytes read
        mov cx, BUFSZ
        int 21h
        jc unreadable
        ret

name:   lodsb                           ; skip blanks, then cut the word at its end
        cmp al, ' '
        je name
        dec si
        mov dx, si
.word:  lodsb
        cmp al, ' '
        ja .word
        mov byte [si-1], 0              ; the blank or CR that ended the word becomes NUL
        cmp al, ' '
        je .done
        dec si                          ; end of the line: stay on it, a further name is empty
.done:  ret

buf1    equ $
buf2    equ buf1 + BUFSZ
