; menukey.asm - MENUKEY.COM for mkrescue's MENU.BAT: the menu's digit, in any keyboard layout
;   MENUKEY N PROMPT   shows PROMPT, waits for a digit 1..N (N is 1 to 9), shows it and ends
;                      with it as errorlevel; 255 when N is missing or not a digit.
; CHOICE takes only the characters a key types, and KEYB changes those: on a French (AZERTY)
; or Czech keyboard the unshifted digit row types & e-acute " ... or + e-caron s-caron ...
; So a digit counts either as typed (Shift+digit there, the numeric keypad, any layout that
; gives it) or as the physical key of the digit row, which the BIOS reports by its scan code
; (02h for 1 ... 0Ah for 9) whatever character the layout puts on it. Other keys beep.
; Assemble: nasm -f bin -o MENUKEY.COM menukey.asm (a test compares with the shipped file)
        cpu 8086
        org 100h

        mov si, 81h                     ; the command tail, ended by CR
        call skip_spaces
        lodsb
        sub al, '1'
        cmp al, 9 - 1
        ja usage                        ; not 1..9 (unsigned: below '1' wraps around)
        inc al
        mov [count], al
        lodsb                           ; the space after N, or the CR when there is no prompt
        cmp al, 13
        je wait_key
.prompt:
        lodsb
        cmp al, 13
        je wait_key
        call putc
        jmp .prompt

wait_key:
        xor ah, ah                      ; BIOS: wait for a key; AH = scan code, AL = character
        int 16h
        mov bl, al
        sub bl, '0'                     ; the character typed, as a digit
        cmp bl, 1
        jb .by_scan
        cmp bl, [count]
        jbe accept
.by_scan:
        mov bl, ah                      ; the digit row's keys: scan codes 02h..0Ah are 1..9
        dec bl
        cmp bl, 1
        jb .beep
        cmp bl, [count]
        jbe accept
.beep:
        mov al, 7
        call putc
        jmp wait_key

accept:
        mov al, bl
        add al, '0'
        call putc
        mov al, 13
        call putc
        mov al, 10
        call putc
        mov al, bl
        jmp quit
usage:
        mov al, 255
quit:
        mov ah, 4Ch
        int 21h

putc:                                   ; show the character in AL
        mov dl, al
        mov ah, 02h
        int 21h
        ret

skip_spaces:
        lodsb
        cmp al, ' '
        je skip_spaces
        cmp al, 9
        je skip_spaces
        dec si
        ret

count   db 0
