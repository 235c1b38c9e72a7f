; fatboot.asm - mkrescue's FAT12/FAT16 boot sector (8086, 512 bytes).
;
; Loads KERNEL.SYS (the FreeDOS kernel) whole at 0060:0000 by following its FAT
; chain and starts it the way the kernel expects (FDOS/kernel kernel/kernel.asm,
; kernel/main.c): BL = BIOS boot drive, SS:BP -> this sector's BPB.
; Written for mkrescue from that protocol. Assemble: nasm -f bin fatboot.asm
;
; Bytes 03h..3Dh (OEM name, BPB, extended BPB) are a placeholder here: mkrescue
; writes each volume's own values there (bootcode.fat_boot_sector()), which also
; refuses what this code cannot handle, to save room here: sectors other than
; 512 bytes, and a type string at 36h that is not the volume's real FAT type.
;
; Memory (physical):
;   00600h..26A00h  KERNEL.SYS, up to 153 KiB (FreeDOS kernels are 45..90 KiB)
;   26A00h..27A00h  stack (4 KiB: BIOS disk services run on the caller's stack)
;   27A00h..27C00h  this sector, moved to 1FE0:7C00
;   27C00h..28000h  two-sector buffer: root directory, then FAT
; 1FE0:7C00 is where FreeDOS's own loader sits; keeping offset 7C00h means the
; code runs at the same offsets before and after the move. It is above any
; kernel that fits and below 160 KiB, so every PC has the memory.
;
; Every disk read is one 512-byte sector to a 512-byte aligned physical address,
; so no transfer can cross a 64 KiB DMA boundary.
;
; On failure it prints one line, waits for a key and calls INT 19h, so the user
; can change the medium and have the BIOS try again.
;
; What did not fit in 448 bytes of code: a runtime check that a chain's cluster
; numbers lie inside the volume (a chain is checked for cluster numbers below 2,
; for the reserved and bad-cluster values, and for loops by the load limit).

        cpu 8086
        org 0x7C00

RELOC_SEG       equ 0x1FE0
LOAD_SEG        equ 0x0060
BUF_SEG         equ 0x27C0          ; = 1FE0:7E00, right after the moved sector
BUF             equ 0x7E00          ; the same buffer as an offset in RELOC_SEG
LOAD_END_SEG    equ 0x26A0          ; the kernel must end below the stack
TRIES           equ 4               ; floppies often fail the first read while spinning up

; BPB fields, addressed from BP = 7C00h; BP-based operands use SS = RELOC_SEG.
%define bpbSecPerClus   bp+0x0D
%define bpbResSectors   bp+0x0E
%define bpbFats         bp+0x10
%define bpbRootEntries  bp+0x11
%define bpbSecPerFat    bp+0x16
%define bpbSecPerTrack  bp+0x18
%define bpbHeads        bp+0x1A
%define bpbHidden       bp+0x1C
%define bpbDrive        bp+0x24
%define bpbFsType       bp+0x36
; Variables in the moved copy's OEM name, which nothing reads after boot; so the
; stack can start at BP itself. The kernel takes a command line from [BP-114h]
; only when the stack it gets starts at or below that, so ours is never one.
%define varDataStart    bp+0x03     ; first data sector, volume-relative
%define varFatSector    bp+0x05     ; FAT sector held in BUF (0: none, that is the boot sector)

start:
        jmp short code
        nop

        ; A 1.44 MB floppy's BPB, so that the .bin alone is a sensible sector.
        db 'MKRESCUE'           ; OEM name
        dw 512                  ; bytes per sector
        db 1                    ; sectors per cluster
        dw 1                    ; reserved sectors
        db 2                    ; FATs
        dw 224                  ; root directory entries
        dw 2880                 ; total sectors (16-bit)
        db 0xF0                 ; media
        dw 9                    ; sectors per FAT
        dw 18                   ; sectors per track
        dw 2                    ; heads
        dd 0                    ; hidden sectors
        dd 0                    ; total sectors (32-bit)
        db 0                    ; BIOS drive
        db 0                    ; reserved
        db 0x29                 ; extended boot signature
        dd 0                    ; volume serial number
        db 'NO NAME    '        ; volume label
        db 'FAT12   '           ; file system type: the code reads FAT12/FAT16 from here

%if $ - $$ != 0x3E
%error "the BPB must end at 3Eh"
%endif

code:
        cli
        xor ax, ax
        mov ds, ax
        mov si, 0x7C00          ; whatever CS:IP the BIOS used, we are at 0:7C00
        mov bp, si
        mov di, si
        mov ax, RELOC_SEG
        mov es, ax
        mov cx, 256
        cld
        rep movsw
        jmp RELOC_SEG:relocated

relocated:
        mov ds, ax
        mov ss, ax
        mov sp, bp
        sti
        mov [bpbDrive], dl      ; the BIOS's boot drive: 00h floppy, 80h+ disk

        ; Layout: reserved sectors, FATs, root directory, data.
        mov al, [bpbFats]
        cbw
        mul word [bpbSecPerFat]
        add ax, [bpbResSectors] ; AX = first root directory sector
        mov [varFatSector], dx  ; DX = 0 after the MUL
        mov bx, [bpbRootEntries]
        add bx, 15
        mov cl, 4
        shr bx, cl              ; 16 entries of 32 bytes per sector
        add bx, ax
        mov [varDataStart], bx

        ; Root directory, a sector at a time, for "KERNEL  SYS". DX stays 0
        ; (the root directory is within the first 64K sectors) and CH stays 0
        ; (CX was 0 after the copy), which the code below relies on.
find_sector:
        mov bx, BUF_SEG
        mov es, bx
        call read_sector
        push ds
        pop es
        mov di, BUF
find_entry:
        cmp [di], dh            ; never-used entry: the end of the directory
        je missing
        test byte [di+11], 0x18 ; volume label or directory
        jnz .next
        push di
        mov si, kernel_name
        mov cl, 11
        repe cmpsb
        pop di
        je found                ; and CX = 0
.next:
        add di, 32
        jns find_entry          ; BUF ends at offset 8000h
        cmp ax, [varDataStart]
        jb find_sector
missing:
        call fail
        db 'KERNEL.SYS missing', 0

; Print the NUL-terminated message that follows the call, wait for a key, boot again.
%include "fail.inc"
        int 0x19

found:
        mov ax, [di+26]         ; first cluster
        mov bx, LOAD_SEG
        mov es, bx
load_cluster:
        push ax
        dec ax
        dec ax
        cmp ax, 0xFFF0 - 2      ; below 2, or reserved/bad (FFF0h..FFF7h)
        jae bad_chain
        mov cl, [bpbSecPerClus] ; CH = 0
        mul cx
        add ax, [varDataStart]
        adc dx, 0
.sector:
        mov bx, es              ; the load limit also ends FAT loops
        cmp bx, LOAD_END_SEG
        jae bad_chain
        call read_sector
        loop .sector
        pop ax
        call next_cluster
        cmp ax, 0xFFF8
        jb load_cluster

        ; FreeDOS hand-over: BL = boot drive, SS:BP -> BPB (BP = 7C00h).
        mov bl, [bpbDrive]
        jmp LOAD_SEG:0

bad_chain:
        call fail
        db 'Bad FAT chain', 0

; AX = cluster -> AX = its FAT entry, FAT12 values widened to FAT16 ones
; (FF0h..FF7h -> FFF0h..FFF7h, FF8h..FFFh end -> FFF8h..FFFFh). FAT sectors are
; read when needed, two at a time since a FAT12 entry can straddle two sectors.
; Keeps CH = 0.
next_cluster:
        push es
        xor dx, dx
        mov bx, ax
        ; FAT12 or FAT16 from the type string ("FAT12   "/"FAT16   "): deciding by
        ; the cluster count, DOS's rule, did not fit. fat_boot_sector() makes sure
        ; the string agrees with the count.
        cmp byte [bpbFsType+4], '6'
        pushf
        je .fat16
        shr bx, 1               ; 1.5 bytes per FAT12 entry; CF = odd cluster
.fat16:
        sbb cl, cl              ; (CF = 0 on the FAT16 path)
        and cl, 4               ; odd FAT12 entries are the high 12 bits
        add ax, bx              ; FAT16: 2 bytes per entry, up to 128 KiB
        adc dx, dx
        mov bx, 512
        div bx                  ; AX = sector of the FAT, DX = offset in it
        add ax, [bpbResSectors]
        cmp ax, [varFatSector]
        je .cached
        mov [varFatSector], ax
        push dx
        cwd
        mov bx, BUF_SEG
        mov es, bx
        call read_sector
        call read_sector
        pop dx
.cached:
        xchg bx, dx
        mov ax, [BUF+bx]
        shr ax, cl
        popf
        je .done
        and ah, 0x0F
        cmp ax, 0x0FF0
        jb .done
        or ah, 0xF0
.done:
        pop es
        ret

; Read the volume-relative sector DX:AX to ES:0000. Returns with DX:AX the next
; sector and ES 512 bytes further on; keeps CX. Fails after TRIES attempts.
read_sector:
        push cx
        mov di, TRIES
.try:
        push dx
        push ax
        add ax, [bpbHidden]
        adc dx, [bpbHidden+2]
        xor cx, cx              ; disk address packet, on the stack
        push cx                 ; LBA bits 32..63
        push cx
        push dx                 ; LBA bits 0..31
        push ax
        push es                 ; buffer segment
        push cx                 ; buffer offset
        inc cx
        push cx                 ; 1 sector
        mov cl, 16
        push cx                 ; packet size
        mov si, sp
        ; Extensions only for hard disks: floppies (and El Torito floppy
        ; emulation) are always CHS-addressable, and some BIOSes claim
        ; extensions for them that then fail.
        mov dl, [bpbDrive]
        test dl, dl
        jns .chs
        mov ah, 0x41
        mov bx, 0x55AA
        int 0x13
        jc .chs
        shr cx, 1               ; CF = bit 0: the packet functions (42h) are there
        adc bx, 0x55AA          ; zero only with BX = AA55h and that bit set
        jnz .chs
        mov ah, 0x42
        jmp short .int
.chs:
        mov ax, [si+8]          ; the absolute LBA again (41h may change AX, DX)
        mov dx, [si+10]
        div word [bpbSecPerTrack]
        mov cx, dx
        inc cx                  ; CL = sector, from 1
        xor dx, dx
        div word [bpbHeads]     ; AX = cylinder, DX = head
        mov ch, al
        ror ah, 1
        ror ah, 1
        or cl, ah               ; cylinder bits 8..9 in CL bits 6..7
        mov dh, dl
        mov dl, [bpbDrive]
        xor bx, bx
        mov ax, 0x0201
.int:
        int 0x13
        lea sp, [si+16]         ; LEA keeps the carry flag
        jnc .ok
        xor ax, ax              ; reset the disk system, then try again
        int 0x13
        pop ax
        pop dx
        dec di
        jnz .try
        call fail
        db 'Disk error', 0
.ok:
        pop ax
        pop dx
        pop cx
        inc ax
        jnz .same
        inc dx
.same:
        mov bx, es
        add bx, 512 / 16
        mov es, bx
        ret

kernel_name     db 'KERNEL  SYS'

%if $ - $$ > 510
%error "boot sector code too big"
%endif
        times 510 - ($ - $$) db 0
        dw 0xAA55
