; mbr.asm - mkrescue's master boot record for USB hard-disk images (8086).
;
; Moves itself to 0:0600, finds the active partition, loads its first sector
; to 0:7C00 and jumps there with DL = BIOS drive and DS:SI -> the partition
; entry, as DOS-era boot sectors expect.
; Written for mkrescue. Assemble: nasm -f bin mbr.asm
;
; For FAT partitions (types 01h, 04h, 06h, 0Eh) it also writes the partition's
; start into the loaded sector's BPB hidden-sectors field (1Ch) before jumping.
; That field must hold the start anyway; the patch makes it right where the
; volume is not where its BPB says, as in a hybrid ISO, whose FAT volume counts
; from the El Torito boot image but sits further into the disk. It also writes
; the BIOS's geometry for the disk (INT 13h, 08h) over the BPB's sectors per
; track and heads, which the boot sector's CHS reads use when the BIOS has no
; INT 13h extensions.
;
; Bytes 1B8h..1FFh (disk signature, partition table, 55AAh) are written by
; mkrescue (bootcode.mbr()); the code must end before 1B8h.
;
; On failure it prints one line, waits for a key and calls INT 18h, which
; makes the BIOS try its next boot device.

        cpu 8086
        org 0x0600

LOADED          equ 0x7C00
PARTITIONS      equ 0x0600 + 0x1BE
TRIES           equ 4

start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, LOADED          ; stack below the loaded sector
        mov ds, ax
        mov es, ax
        sti
        cld
        mov si, LOADED
        mov di, start
        mov cx, 256
        rep movsw               ; out of the way of the sector we load
        jmp 0:relocated

relocated:
        mov si, PARTITIONS
        mov cl, 4
.find:
        cmp byte [si], 0x80
        je found
        add si, 16
        loop .find
        call fail
        db 'No active partition', 0

; Print the NUL-terminated message that follows the call, wait for a key,
; let the BIOS try the next boot device.
%include "fail.inc"
        int 0x18

found:
        mov bp, si              ; BP -> the entry from here on
        mov di, TRIES
.try:
        push dx                 ; DL = the BIOS drive, for every call below
        mov ah, 0x41            ; LBA through the extensions when there are any
        mov bx, 0x55AA
        int 0x13
        pop dx
        jc .chs
        cmp bx, 0xAA55
        jne .chs
        test cl, 1              ; the packet functions (42h)
        jz .chs
        xor ax, ax              ; disk address packet, on the stack
        push ax                 ; LBA bits 32..63
        push ax
        push word [bp+10]       ; LBA bits 0..31: the partition's start
        push word [bp+8]
        push ax                 ; buffer segment
        mov bx, LOADED
        push bx                 ; buffer offset
        inc ax
        push ax                 ; 1 sector
        mov al, 16
        push ax                 ; packet size
        mov si, sp
        mov ah, 0x42
        int 0x13
        lea sp, [si+16]         ; LEA keeps the carry flag
        jmp short .result
.chs:
        mov dh, [bp+1]          ; else the entry's own CHS address
        mov cx, [bp+2]
        mov bx, LOADED
        mov ax, 0x0201
        int 0x13
.result:
        jnc loaded
        xor ax, ax              ; reset the disk system, then try again
        int 0x13
        dec di
        jnz .try
        call fail
        db 'Disk read error', 0

loaded:
        cmp word [LOADED+0x1FE], 0xAA55
        je .signed
        call fail
        db 'Partition not bootable', 0
.signed:
        mov al, [bp+4]          ; partition type
        cmp al, 0x01            ; FAT12
        je .fat
        cmp al, 0x04            ; FAT16 below 32 MiB
        je .fat
        cmp al, 0x06            ; FAT16
        je .fat
        cmp al, 0x0E            ; FAT16, LBA
        jne .go
.fat:
        mov ax, [bp+8]
        mov [LOADED+0x1C], ax
        mov ax, [bp+10]
        mov [LOADED+0x1E], ax
        ; The BIOS's own geometry into the BPB (18h sectors per track, 1Ah heads).
        ; Without INT 13h extensions the boot sector reads by CHS, which is only
        ; right in the geometry this BIOS uses for this disk; when the image was
        ; written, nobody knew it (a BIOS may give a stick 16, 64 or 255 heads).
        push dx
        push es
        mov ah, 0x08
        xor di, di              ; ES:DI = 0:0 guards against BIOS bugs (RBIL)
        int 0x13
        pop es
        jc .keep
        and cx, 0x3F            ; sectors per track
        jz .keep                ; a BIOS that answers nonsense: keep the BPB's
        mov [LOADED+0x18], cx
        mov cl, dh              ; the last head number
        inc cx                  ; CH is 0 here: CX = heads, 256 included
        mov [LOADED+0x1A], cx
.keep:
        pop dx
.go:
        mov si, bp
        jmp 0:LOADED

%if $ - $$ > 0x1B8
%error "MBR code must end before the disk signature at 1B8h"
%endif
        times 0x1B8 - ($ - $$) db 0
        dd 0                    ; disk signature (mkrescue writes it)
        dw 0
        times 64 db 0           ; partition table (mkrescue writes it)
        dw 0xAA55
