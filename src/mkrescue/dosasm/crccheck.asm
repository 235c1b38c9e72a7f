; crccheck.asm - CRCCHECK.COM for mkrescue's AUTOEXEC.BAT: checks the copies on the RAM
; disk against CRC-32s that mkrescue computed when it built the medium, so the copy is
; verified without reading the boot medium a second time (a floppy reads at ~45 KB/s).
;   CRCCHECK DIR LIST   LIST has lines "XXXXXXXX NAME" (CRC-32 in hex, a path below DIR).
;   errorlevel 0: every file listed matches, 1: one does not (its name is printed),
;              2: a file or the list cannot be read, or the list is malformed or empty.
; The CRC is zlib's (IEEE 802.3, reflected, initial and final value FFFFFFFFh).
; Assemble: nasm -f bin -o CRCCHECK.COM crccheck.asm (a test compares with the .com)
        cpu 8086
        org 100h
BUFSZ   equ 8192
LISTMAX equ 16384                       ; about 500 files; mkrescue refuses a longer list
PATHMAX equ 128

        cld
        call table                      ; the 256 CRC-32 values of one byte, 1 KiB
        mov si, 81h                     ; the command tail, ended by CR
        call argword                    ; DIR -> SI..DI (DI = its end)
        cmp cx, 64                      ; leaves room for any listed name in the path buffer
        ja .usage
        jcxz .usage
        mov bx, path                    ; copy DIR and a backslash into the path buffer
.dir:   lodsb
        mov [bx], al
        inc bx
        loop .dir
        cmp byte [bx-1], '\'
        je .slash
        mov byte [bx], '\'
        inc bx
.slash: mov [name], bx                  ; where each listed name goes
        call argword                    ; LIST -> NUL-terminated at SI
        jcxz .usage
        mov byte [di], 0
        mov dx, si
        mov ax, 3D00h                   ; open the list
        int 21h
        jc nolist
        mov bx, ax
        mov ah, 3Fh
        mov cx, LISTMAX
        mov dx, list
        int 21h
        jc nolist
        cmp ax, LISTMAX
        jae nolist                      ; longer than we read: refuse rather than check part
        mov si, list
        add ax, si
        mov [listend], ax
        mov word [count], 0
        jmp entry
.usage: jmp usage

entry:  call skipeol
        cmp si, [listend]
        jae done
        mov ax, [listend]               ; a whole "XXXXXXXX N" must be there
        sub ax, si
        cmp ax, 10
        jb badlist
        call hex32                      ; expected CRC -> [want], [want+2]
        jc badlist
        lodsb
        cmp al, ' '
        jne badlist
        mov di, [name]                  ; append the name to DIR\ 
        mov cx, path + PATHMAX - 1
        sub cx, di
.copy:  cmp si, [listend]
        jae .end
        lodsb
        cmp al, ' '
        jbe .back
        stosb
        loop .copy
        jmp badlist                     ; a name longer than any DOS path
.back:  dec si
.end:   cmp di, [name]
        je badlist
        mov byte [di], 0
        call filecrc
        jc unreadable
        cmp ax, [want]
        jne different
        cmp dx, [want+2]
        jne different
        inc word [count]
        jmp entry

done:   cmp word [count], 0            ; an empty list proves nothing
        je badlist
        mov al, 0
        jmp quit
different:
        mov dx, msgdiff
        call sayfile
        mov al, 1
        jmp quit
unreadable:
        mov dx, msgread
        call sayfile
        mov al, 2
        jmp quit
usage:  mov dx, msgusage
        jmp fail
nolist: mov dx, msglist
        jmp fail
badlist:
        mov dx, msgbad
fail:   mov ah, 09h
        int 21h
        mov al, 2
quit:   mov ah, 4Ch                     ; DOS closes open files
        int 21h

; CRC-32 of the file named at [path] -> DX:AX; CF set when it cannot be read.
filecrc:
        mov dx, path
        mov ax, 3D00h
        int 21h
        jc .ret
        mov [handle], ax
        mov word [crc], 0FFFFh
        mov word [crc+2], 0FFFFh
.read:  mov ah, 3Fh
        mov bx, [handle]
        mov cx, BUFSZ
        mov dx, buf
        int 21h
        jc .ret
        mov cx, ax
        jcxz .last
        push si
        mov si, buf
        mov ax, [crc]
        mov dx, [crc+2]
.byte:  xor al, [si]                    ; index = (crc ^ byte) & FFh
        inc si
        mov bl, al
        xor bh, bh
        shl bx, 1
        shl bx, 1
        mov al, ah                      ; crc >> 8
        mov ah, dl
        mov dl, dh
        xor dh, dh
        xor ax, [crctab+bx]
        xor dx, [crctab+bx+2]
        loop .byte
        mov [crc], ax
        mov [crc+2], dx
        pop si
        jmp .read
.last:  mov ah, 3Eh                     ; close it: a long list would run out of handles
        mov bx, [handle]
        int 21h
        mov ax, [crc]
        mov dx, [crc+2]
        not ax
        not dx
        clc
.ret:   ret

; Build the table: for each byte n, eight shifts of n with the reflected polynomial.
table:  mov di, crctab
        xor cx, cx
.n:     mov ax, cx
        xor dx, dx
        mov bl, 8
.bit:   shr dx, 1
        rcr ax, 1
        jnc .zero
        xor dx, 0EDB8h
        xor ax, 8320h
.zero:  dec bl
        jnz .bit
        stosw
        mov ax, dx
        stosw
        inc cl
        jnz .n
        ret

; Eight hex digits at SI -> [want] (low word) and [want+2]; CF set when they are not.
hex32:  mov cx, 8
        xor dx, dx
        xor bx, bx
.digit: lodsb
        sub al, '0'
        cmp al, 9
        jbe .ok
        and al, 0DFh                    ; a-f as A-F (after the '0' subtraction: 31h..36h)
        sub al, 'A' - '0'
        cmp al, 5
        ja .bad
        add al, 10
.ok:    push cx
        mov cl, 4                       ; DX:BX <<= 4, then add the digit
.shift: shl bx, 1
        rcl dx, 1
        dec cl
        jnz .shift
        pop cx
        or bl, al
        loop .digit
        mov [want], bx
        mov [want+2], dx
        clc
        ret
.bad:   stc
        ret

; Skip the line ends and blanks before the next entry.
skipeol:
        cmp si, [listend]
        jae .ret
        cmp byte [si], ' '
        ja .ret
        inc si
        jmp skipeol
.ret:   ret

; The next word of the command tail: skip blanks; SI = its start, DI = its end, CX = its length.
argword:
        lodsb
        cmp al, ' '
        je argword
        dec si
        mov di, si
.char:  cmp byte [di], ' '
        jbe .end
        inc di
        jmp .char
.end:   mov cx, di
        sub cx, si
        ret

; Print the message at DX, then the path and a line end.
sayfile:
        mov ah, 09h
        int 21h
        mov si, path
.char:  lodsb
        or al, al
        jz .eol
        mov dl, al
        mov ah, 02h
        int 21h
        jmp .char
.eol:   mov dx, msgeol
        mov ah, 09h
        int 21h
        ret

msgdiff  db 'CRCCHECK: this copy differs from the boot disk: $'
msgread  db 'CRCCHECK: cannot read $'
msgusage db 'CRCCHECK: usage: CRCCHECK DIR LIST', 13, 10, '$'
msglist  db 'CRCCHECK: cannot read the list, or it is too long', 13, 10, '$'
msgbad   db 'CRCCHECK: the list is empty or damaged', 13, 10, '$'
msgeol   db 13, 10, '$'

        align 2
bss     equ $
want    equ bss
crc     equ want + 4
handle  equ crc + 4
name    equ handle + 2
listend equ name + 2
count   equ listend + 2
path    equ count + 2
crctab  equ path + PATHMAX
list    equ crctab + 1024
buf     equ list + LISTMAX
