; reboot.asm - REBOOT.COM for mkrescue's flash menu (choice 5): a warm restart, as
; Ctrl+Alt+Del does. FreeDOS's COMMAND.COM has no REBOOT command.
; Assemble: nasm -f bin -o REBOOT.COM reboot.asm (menu.py holds the bytes; a test compares)
        cpu 8086
        org 100h
        mov ax, 0040h
        mov ds, ax
        mov word [0072h], 1234h         ; BIOS data: warm boot, skip the memory test
        mov al, 0FEh
        out 64h, al                     ; the keyboard controller pulses the CPU's reset line
        jmp 0FFFFh:0000h                ; no controller: the BIOS's own reset entry
