; xmsfree.asm - XMSFREE.COM for mkrescue's AUTOEXEC.BAT: does the RAM disk fit the XMS
; memory that is really free? Under a CSM wrapper on a UEFI PC, DOS may see only a
; few MB of XMS however much memory the PC has.
;   XMSFREE WANT NEED    sizes in KiB: the RAM disk asked for, and the least the files need
;   errorlevel 0: the largest free XMS block holds WANT KiB
;              1: it holds NEED but not WANT (says so: the RAM disk gets NEED)
;              2: it does not even hold NEED (says so, with both figures)
;              3: no XMS driver is loaded (says so)
;              4: the arguments are not two numbers
; Asks the XMS driver (INT 2Fh AX=4310h) for its largest free block: function 88h
; (XMS 3.0, 32-bit sizes, 386 and later), else function 08h (up to 64 MiB).
; Assemble: nasm -f bin -o XMSFREE.COM xmsfree.asm (the .COM ships; a test compares)
        cpu 8086
        org 100h

        cld
        mov si, 81h                     ; the command tail
        call number
        jc usage
        mov [want], ax
        mov [want + 2], dx
        call number
        jc usage
        mov [need], ax
        mov [need + 2], dx
        mov ax, 4300h                   ; is an XMS driver there?
        int 2Fh
        cmp al, 80h
        jne noxms
        mov ax, 4310h                   ; its entry point, in ES:BX
        int 2Fh
        mov [xms], bx
        mov [xms + 2], es
        mov ah, 88h                     ; XMS 3.0: largest free block in EAX (KiB)
        xor bl, bl
        call far [xms]
        or bl, bl                       ; a driver or CPU without it fails with BL = 80h
        jnz xms2
        cpu 386                         ; only reached on a 386 or later: 88h worked
        mov [free], eax
        cpu 8086
        jmp compare
xms2:   mov ah, 08h                     ; XMS 2.0: largest free block in AX (KiB)
        xor bl, bl
        call far [xms]
        mov [free], ax
        mov word [free + 2], 0
compare:
        mov ax, [free]
        mov dx, [free + 2]
        cmp dx, [want + 2]
        ja fits
        jb belowwant
        cmp ax, [want]
        jae fits
belowwant:
        cmp dx, [need + 2]
        ja reduced
        jb toosmall
        cmp ax, [need]
        jae reduced
toosmall:
        mov dx, msg_only
        mov bx, msg_needs
        mov cx, [need]
        mov di, [need + 2]
        mov bp, 2
        jmp tell
reduced:
        mov dx, msg_only
        mov bx, msg_gets
        mov cx, [need]
        mov di, [need + 2]
        mov bp, 1
tell:   push di                         ; "Only <free> KiB ... <need> KiB ..."
        push cx
        push bx
        mov ah, 09h
        int 21h
        mov ax, [free]
        mov dx, [free + 2]
        call decimal
        pop dx
        mov ah, 09h
        int 21h
        pop ax
        pop dx
        call decimal
        mov dx, msg_end
        mov ah, 09h
        int 21h
        mov ax, bp
        jmp quit
fits:   mov al, 0
        jmp quit
noxms:  mov dx, msg_noxms
        mov ah, 09h
        int 21h
        mov al, 3
        jmp quit
usage:  mov dx, msg_usage
        mov ah, 09h
        int 21h
        mov al, 4
quit:   mov ah, 4Ch
        int 21h

; number: the decimal number at SI (after spaces) into DX:AX, SI past it;
; CF when there is none or it has more than 7 digits (no RAM disk is that big).
number: xor di, di                      ; low word
        xor bp, bp                      ; high word
        xor cx, cx                      ; digits so far
.skip:  cmp byte [si], ' '
        jne .digit
        inc si
        jmp .skip
.digit: mov bl, [si]
        sub bl, '0'
        cmp bl, 9
        ja .end
        inc si
        inc cx
        cmp cx, 7
        ja .bad
        xor bh, bh
        push bx
        mov bx, 10
        mov ax, bp                      ; BP:DI = BP:DI * 10 + digit
        mul bx
        mov bp, ax
        mov ax, di
        mul bx
        add bp, dx
        pop bx
        add ax, bx
        adc bp, 0
        mov di, ax
        jmp .digit
.end:   jcxz .bad
        mov ax, di
        mov dx, bp
        clc
        ret
.bad:   stc
        ret

; decimal: print DX:AX in decimal.
decimal:
        mov bx, 10
        xor cx, cx
.divide:
        push ax                         ; DX:AX / 10, in two steps of 32 by 16 bits
        mov ax, dx
        xor dx, dx
        div bx
        mov di, ax                      ; the quotient's high word
        pop ax
        div bx                          ; DX (the high remainder):AX / 10
        push dx                         ; a digit, lowest first
        inc cx
        mov dx, di
        mov si, ax
        or si, dx
        jnz .divide
.print: pop dx
        add dl, '0'
        mov ah, 02h
        int 21h
        loop .print
        ret

msg_only        db "Only $"
msg_gets        db " KiB of XMS memory are free: the RAM disk gets $"
msg_needs       db " KiB of XMS memory are free, too little: the RAM disk needs $"
msg_end         db " KiB.", 13, 10, "$"
msg_noxms       db "No XMS driver is loaded.", 13, 10, "$"
msg_usage       db "XMSFREE WANT NEED: sizes in KiB", 13, 10, "$"

xms             dw 0, 0
want            dw 0, 0
need            dw 0, 0
free            dw 0, 0
