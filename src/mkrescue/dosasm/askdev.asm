; askdev.asm - ASKDEV.COM for mkrescue's MENU.BAT: reads the device id a flasher needs
; (what its identify command printed, e.g. 1.0.0 or D:) and hands it to the batch file as
; an environment variable, since FreeCOM has no SET /P.
;   ASKDEV NAME   errorlevel 0: NAME=<id> is set, 1: Esc or an empty line, nothing changed,
;                 2: the environment is full or damaged, nothing changed, 3: bad NAME.
; Only letters, digits and . : - are taken (16 at most); any other key beeps. Backspace
; erases, Enter ends, Esc or Ctrl+C cancels.
; How: the shell that runs the batch file is our parent (PSP 16h); its environment is the
; block at its PSP 2Ch, a list of NAME=VALUE strings ended by an empty one, then a word
; count and that many strings (the program's path), all inside the block's memory
; control block (the paragraph before it; size in paragraphs at 3). FreeCOM reads that
; block at each %NAME% (its env_glbSeg is PSP 2Ch), so a changed block is seen at once.
; We drop the old NAME= entry and add the new one before the list's end, moving the
; tail along, and change nothing unless it all fits. This needs no writable drive, where
; the other way out (writing a batch file of SET lines to CALL) would.
; Assemble: nasm -f bin -o ASKDEV.COM askdev.asm (a test compares with the .COM)
        cpu 8086
        org 100h
MAX_ID          equ 16
MAX_NAME        equ 8
MAX_STRINGS     equ 16                  ; after the list: more than DOS ever puts there

        cld
        mov si, 81h                     ; the command tail, ended by CR
.blank: lodsb
        cmp al, ' '
        je .blank
        dec si
        mov di, entry
.name:  lodsb
        call upper
        cmp al, '_'
        je .take
        call alnum
        jc .named
.take:  stosb
        cmp di, entry + MAX_NAME
        jbe .name
        jmp usage
.named: cmp al, ' '                     ; the name ends at a blank or the line's end
        je .ok
        cmp al, 13
        jne .bad
.ok:    cmp di, entry
        jne .named_ok
.bad:   jmp usage
.named_ok:
        mov al, '='
        stosb
        mov [value], di

read:   mov ah, 07h                     ; a key, no echo, no Ctrl+C check
        int 21h
        or al, al
        jz .extended
        cmp al, 13
        je .enter
        cmp al, 27
        je cancel
        cmp al, 3
        je cancel
        cmp al, 8
        je .erase
        call alnum
        jnc .char
        cmp al, '.'
        je .char
        cmp al, ':'
        je .char
        cmp al, '-'
        jne .refuse
.char:  mov bx, di
        sub bx, [value]
        cmp bx, MAX_ID
        jae .refuse
        stosb
        mov dl, al
        call putc
        jmp short read
.extended:
        mov ah, 07h                     ; an arrow or function key: drop its second byte
        int 21h
.refuse:
        mov dl, 7
        call putc
        jmp short read
.erase: cmp di, [value]
        je .refuse
        dec di
        mov dl, 8
        call putc
        mov dl, ' '
        call putc
        mov dl, 8
        call putc
        jmp short read
.enter: call newline
        cmp di, [value]
        je quit1
        xor al, al
        stosb
        sub di, entry
        mov [entry_length], di          ; NAME=VALUE and its NUL

        mov es, [16h]                   ; the parent's PSP: the shell running the batch
        mov ax, [es:2Ch]
        or ax, ax
        jz full
        mov [env], ax
        dec ax
        mov es, ax                      ; its memory control block
        mov al, [es:0]
        cmp al, 'M'
        je .mcb
        cmp al, 'Z'
        jne full
.mcb:   mov ax, [es:3]
        cmp ax, 1000h                   ; 64 KiB or more is no environment (DOS: 32 KiB)
        jae full
        mov cl, 4
        shl ax, cl
        mov [env_size], ax
        mov es, [env]
        xor di, di
        mov word [old_start], 0FFFFh
.var:   cmp di, [env_size]
        jae full
        cmp byte [es:di], 0
        je .vars_end
        mov bx, di
        mov si, entry
        mov cx, [value]
        sub cx, si                      ; NAME= with its '='
        repe cmpsb
        mov di, bx
        jne .skip
        mov [old_start], bx
.skip:  call past_string
        jc full
        cmp [old_start], bx
        jne .var
        mov [old_end], di
        jmp short .var
.vars_end:
        mov [vars_end], di
        inc di
        lea ax, [di+2]
        cmp ax, [env_size]
        ja full
        mov cx, [es:di]                 ; the count of strings after the list
        mov di, ax
        cmp cx, MAX_STRINGS
        ja full
        jcxz .tail
.string:
        push cx
        call past_string
        pop cx
        jc full
        loop .string
.tail:  mov [first_free], di
        mov dx, [entry_length]          ; room: what is used, less the old entry, plus the new
        xor ax, ax
        cmp word [old_start], 0FFFFh
        je .sized
        mov ax, [old_end]
        sub ax, [old_start]
.sized: add dx, di
        jc full
        sub dx, ax
        cmp dx, [env_size]
        ja full
        or ax, ax
        jz .insert
        push ds                         ; drop the old entry: move the rest down
        mov di, [old_start]
        mov si, [old_end]
        mov cx, [first_free]
        sub cx, si
        push es
        pop ds
        rep movsb
        pop ds
        sub [vars_end], ax
        sub [first_free], ax
.insert:
        mov cx, [first_free]            ; move the list's end and the tail up, last byte first
        mov si, cx
        sub cx, [vars_end]
        dec si
        mov di, si
        add di, [entry_length]
        push ds
        push es
        pop ds
        std
        rep movsb
        cld
        pop ds
        mov di, [vars_end]
        mov si, entry
        mov cx, [entry_length]
        rep movsb
        mov al, 0
        jmp short quit
cancel: call newline
quit1:  mov al, 1
        jmp short quit
full:   mov al, 2
        jmp short quit
usage:  mov al, 3
quit:   mov ah, 4Ch
        int 21h

; DI past the NUL of the string at ES:DI, within the block; CF set when it runs out.
past_string:
        mov cx, [env_size]
        sub cx, di
        jbe .out
        xor al, al
        repne scasb
        je .in
.out:   stc
        ret
.in:    clc
        ret

; AL to upper case.
upper:  cmp al, 'a'
        jb .done
        cmp al, 'z'
        ja .done
        and al, 0DFh
.done:  ret

; CF clear when AL is a letter or a digit.
alnum:  cmp al, '0'
        jb .no
        cmp al, '9'
        jbe .yes
        push ax
        call upper
        cmp al, 'A'
        pop ax
        jb .no
        push ax
        call upper
        cmp al, 'Z'
        pop ax
        ja .no
.yes:   clc
        ret
.no:    stc
        ret

newline:
        mov dl, 13
        call putc
        mov dl, 10
putc:   mov ah, 02h
        int 21h
        ret

env             dw 0
env_size        dw 0
old_start       dw 0
old_end         dw 0
vars_end        dw 0
first_free      dw 0
value           dw 0
entry_length    dw 0
entry:                                  ; NAME=VALUE, NUL: at most 8 + 1 + 16 + 1 bytes
