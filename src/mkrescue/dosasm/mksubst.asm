; mksubst.asm - MKSUBST.COM for mkrescue's MENU.BAT (--flasher-dir-a): maps a folder to a
; drive letter, as SUBST does, for flashers that insist on running from A:\.
;   MKSUBST X: D:\FOLDER   errorlevel 0: X:\ is now D:\FOLDER, 1: nothing was changed
; It fails, changing nothing, unless D:\FOLDER is a folder on a plain local drive other
; than X: and X: is within LASTDRIVE. What X: was (the floppy drive, for A:) stays hidden
; until a reboot.
; How: DOS keeps a current directory structure (CDS, 58h bytes) per drive letter, an array
; the list of lists (INT 21h AH=52h) points to at 16h, LASTDRIVE entries long (21h). A
; SUBST drive's entry holds the real path and the real drive's DPB, and its "backslash
; offset" says how much of that path is its root (FreeDOS kernel: hdr/cds.h, truename()).
; Assemble: nasm -f bin -o MKSUBST.COM mksubst.asm (menu.py holds the bytes; a test compares)
        cpu 8086
        org 100h
CDS_SIZE        equ 58h
CDS_PATH        equ 67                  ; bytes for the path, its NUL included
CDS_FLAGS       equ 43h
CDS_DPB         equ 45h
CDS_CLUSTER     equ 49h                 ; then a parameter and the user word: FFFFh, unknown
CDS_ROOT_END    equ 4Fh                 ; the backslash offset
CDS_NET         equ 51h                 ; network fields to the end: zero
KIND_MASK       equ 0F000h
LOCAL_DRIVE     equ 4000h               ; physical; not SUBST, JOIN or network
SUBST_DRIVE     equ 5000h               ; physical and SUBST

        cld
        mov si, 81h                     ; the command tail, ended by CR
        call next_word
        cmp cx, 2                       ; X:
        jne fail
        mov bx, dx
        cmp byte [bx+1], ':'
        jne fail
        mov al, [bx]
        call drive_number
        jc fail
        mov [target], al
        call next_word                  ; D:\FOLDER, no backslash at its end
        cmp cx, 4
        jb fail
        cmp cx, CDS_PATH - 1
        ja fail
        mov [path_length], cx
        mov bx, dx
        cmp word [bx+1], ':\'
        jne fail
        add bx, cx
        cmp byte [bx-1], '\'
        je fail
        mov bx, dx
.upper: mov al, [bx]                    ; upper case, as DOS keeps paths
        cmp al, 'a'
        jb .kept
        cmp al, 'z'
        ja .kept
        and byte [bx], 0DFh
.kept:  inc bx
        loop .upper
        mov [path], dx
        mov bx, dx
        mov al, [bx]
        call drive_number
        jc fail
        cmp al, [target]                ; a drive onto itself would lose its own entry
        je fail
        mov [source], al
        mov ax, 4300h                   ; DS:DX: is it there, and a folder?
        int 21h
        jc fail
        test cl, 10h
        jz fail
        mov ah, 52h                     ; ES:BX -> the list of lists
        int 21h
        mov al, [es:bx+21h]             ; LASTDRIVE: entries in the CDS array
        cmp [target], al
        jae fail
        cmp [source], al
        jae fail
        les di, [es:bx+16h]             ; ES:DI -> the CDS array
        mov al, [source]
        call entry                      ; ES:BX -> the source drive's entry
        mov ax, [es:bx+CDS_FLAGS]
        and ax, KIND_MASK
        cmp ax, LOCAL_DRIVE
        jne fail
        mov cx, [es:bx+CDS_DPB]
        mov dx, [es:bx+CDS_DPB+2]
        mov al, [target]
        call entry
        mov di, bx                      ; ES:DI -> the target drive's entry
        mov si, [path]
        push cx
        mov cx, [path_length]
        rep movsb
        mov cx, CDS_PATH
        sub cx, [path_length]
        xor al, al
        rep stosb                       ; NUL after the path, and in the rest of the field
        pop cx
        mov word [es:bx+CDS_FLAGS], SUBST_DRIVE
        mov [es:bx+CDS_DPB], cx
        mov [es:bx+CDS_DPB+2], dx
        lea di, [bx+CDS_CLUSTER]
        mov ax, 0FFFFh
        stosw
        stosw
        stosw
        mov ax, [path_length]
        stosw                           ; CDS_ROOT_END: the whole path is X:'s root
        xor ax, ax
        mov cx, CDS_SIZE - CDS_NET
        rep stosb
        mov al, 0
        jmp short quit
fail:   mov al, 1
quit:   mov ah, 4Ch
        int 21h

; The CDS entry of drive number AL: ES:BX = ES:DI + AL * CDS_SIZE.
entry:  mov ah, CDS_SIZE
        mul ah
        mov bx, di
        add bx, ax
        ret

; Drive letter AL -> drive number AL (0 = A:), CF set when it is no letter.
drive_number:
        and al, 0DFh
        sub al, 'A'
        cmp al, 26
        cmc
        ret

%include "nextword.inc"

target          db 0
source          db 0
path            dw 0
path_length     dw 0
