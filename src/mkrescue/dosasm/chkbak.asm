; chkbak.asm - CHKBAK.COM for mkrescue's MENU.BAT: checks a firmware backup before the
; menu allows the flash, so a failed or wrong dump is noticed while it still matters.
;   CHKBAK BACKUP FIRMWARE [MODEL]
;   errorlevel, a sum: 1 MODEL (the rest of the line, case as given) is not in BACKUP,
;              2 BACKUP's size differs from FIRMWARE's (the new image),
;              4 BACKUP is empty or all 00h or all FFh: an erased chip or a failed read;
;              8 alone: a file cannot be read, or the arguments are wrong.
; Assemble: nasm -f bin -o CHKBAK.COM chkbak.asm (a test compares with the .COM)
        cpu 8086
        org 100h
BUFSZ           equ 16384
MAX_MODEL       equ 32
MODEL_MISSING   equ 1
SIZE_DIFFERS    equ 2
BLANK           equ 4
UNREADABLE      equ 8

        cld
        mov si, 81h                     ; the command tail, ended by CR
        call next_word
        jcxz .usage
        mov [backup], dx
        call next_word
        jcxz .usage
        mov [firmware], dx
        jmp short .lead
.usage: jmp fail
.lead:  lodsb                           ; the model: the rest, without blanks around it
        cmp al, ' '
        je .lead
        dec si
        mov [model], si
.end:   lodsb                           ; to the CR, or the NUL that replaced it
        cmp al, ' '
        jae .end
        dec si
.trim:  cmp si, [model]
        je .trimmed
        cmp byte [si-1], ' '
        jne .trimmed
        dec si
        jmp short .trim
.trimmed:
        mov cx, si
        sub cx, [model]
        cmp cx, MAX_MODEL
        ja fail
        mov [model_length], cx
        jcxz .sizes
        mov byte [found], 0

.sizes: mov dx, [firmware]
        call open_sized
        jc fail
        mov [new_low], ax
        mov [new_high], dx
        mov ah, 3Eh
        int 21h
        mov dx, [backup]
        call open_sized
        jc fail
        mov [handle], bx
        cmp ax, [new_low]
        jne .differ
        cmp dx, [new_high]
        je .same
.differ:
        or byte [result], SIZE_DIFFERS
.same:  or ax, dx
        jz finish                       ; empty: counts as blank below
        mov ax, 4200h                   ; back to its start
        xor cx, cx
        xor dx, dx
        int 21h
        jc fail
        mov byte [first], 1

scan:   mov ah, 3Fh
        mov bx, [handle]
        mov cx, BUFSZ
        mov dx, buf
        add dx, [kept]
        int 21h
        jc fail
        or ax, ax
        jz finish
        mov di, dx                      ; the new bytes: DI, AX of them
        cmp byte [first], 0
        je .blank
        mov byte [first], 0
        mov bl, [di]
        mov [fill], bl
.blank: cmp byte [uniform], 0
        je .model
        mov cx, ax
        push ax
        mov al, [fill]
        repe scasb
        pop ax
        je .model
        mov byte [uniform], 0
.model: add ax, [kept]                  ; the bytes in buf, carried ones included
        mov [filled], ax
        cmp byte [found], 0
        jne .carry
        call search
.carry: mov cx, [model_length]          ; the last MODEL_LENGTH-1 bytes start the next buffer
        jcxz scan
        dec cx
        cmp cx, [filled]
        jbe .move
        mov cx, [filled]
.move:  mov [kept], cx
        mov si, buf
        add si, [filled]
        sub si, cx
        mov di, buf
        rep movsb
        jmp short scan

finish: cmp byte [found], 0
        jne .blank
        or byte [result], MODEL_MISSING
.blank: cmp byte [uniform], 0
        je .done
        mov al, [fill]
        inc al
        cmp al, 1                       ; 00h or FFh, or never set: an empty file
        ja .done
        or byte [result], BLANK
.done:  mov al, [result]
        jmp short quit
fail:   mov al, UNREADABLE
quit:   mov ah, 4Ch                     ; DOS closes the files
        int 21h

; Is the model anywhere in buf[0..filled)? Sets [found].
search: mov dx, [filled]
        sub dx, [model_length]
        jb .none
        add dx, buf                     ; the last place it can start
        mov bx, buf
.next:  cmp bx, dx
        ja .none
        mov di, bx
        mov cx, dx
        sub cx, bx
        inc cx
        mov si, [model]
        mov al, [si]
        repne scasb                     ; its first letter
        jne .none
        mov bx, di                      ; one past that letter
        inc si
        mov cx, [model_length]
        dec cx
        jcxz .hit
        repe cmpsb
        jne .next
.hit:   mov byte [found], 1
.none:  ret

; Open the file named at DX for reading: BX its handle, DX:AX its size; CF on failure.
open_sized:
        mov ax, 3D00h
        int 21h
        jc .ret
        mov bx, ax
        mov ax, 4202h
        xor cx, cx
        xor dx, dx
        int 21h
.ret:   ret

%include "nextword.inc"

result          db 0
found           db 1                    ; no model given: nothing to find
uniform         db 1
first           db 0
fill            db 0
backup          dw 0
firmware        dw 0
model           dw 0
model_length    dw 0
handle          dw 0
new_low         dw 0
new_high        dw 0
kept            dw 0
filled          dw 0
buf:
