// Board support for Minnow's bare-metal images, part 2: the CMSDK APB UART0 driver (as on
// mps2-an385/an386/an500: 0x40004000, RX interrupt 0, 115200 baud from the 25 MHz clock) and
// SysTick timing that counts past the 24-bit wrap. Plain C as Swift constants. Polled
// transmit, interrupt-driven receive into a 256-byte ring (a full ring leaves the next byte in
// the UART, which under qemu holds the sender back); no DMA, no hardware flow control.

extension BareMetal {
    /// `board.h`: the API the protocol main loop and test programs use.
    static let boardHeader = #"""
    /* board.h: UART0 and SysTick for Minnow's bare-metal images. */
    #ifndef MN_BOARD_H
    #define MN_BOARD_H
    #include <stdint.h>

    void mn_board_init(void);             /* UART0 on (TX, RX and its interrupt), SysTick running, interrupts on */
    void mn_putc(char c);
    void mn_puts(const char *s);          /* no newline added */
    void mn_put_int(int32_t value);
    void mn_put_u64(uint64_t value);
    int mn_getc(void);                    /* next received byte, or -1 when none is waiting */
    void mn_wait_for_input(void);         /* sleeps (WFI) until a byte is waiting */
    uint64_t mn_ticks(void);              /* SysTick ticks since mn_board_init, 64-bit (wraps counted) */

    #endif

    """#

    /// `board.c`: the CMSDK UART and SysTick drivers.
    static let boardSource = #"""
    /* board.c: CMSDK APB UART0 and SysTick for the emulated MPS2 boards. */
    #include "board.h"

    #define UART0_DATA      (*(volatile uint32_t *)0x40004000u)
    #define UART0_STATE     (*(volatile uint32_t *)0x40004004u)  /* bit 0 TX full, bit 1 RX full */
    #define UART0_CTRL      (*(volatile uint32_t *)0x40004008u)  /* bit 0 TX on, bit 1 RX on, bit 3 RX interrupt */
    #define UART0_INTCLEAR  (*(volatile uint32_t *)0x4000400Cu)  /* bit 1 RX */
    #define UART0_BAUDDIV   (*(volatile uint32_t *)0x40004010u)
    #define SYST_CSR        (*(volatile uint32_t *)0xE000E010u)
    #define SYST_RVR        (*(volatile uint32_t *)0xE000E014u)
    #define SYST_CVR        (*(volatile uint32_t *)0xE000E018u)
    #define NVIC_ISER0      (*(volatile uint32_t *)0xE000E100u)
    #define SCB_ICSR        (*(volatile uint32_t *)0xE000ED04u)

    #ifndef MN_CLOCK_HZ
    #define MN_CLOCK_HZ 25000000u
    #endif
    /* SysTick reload: the largest 24-bit value unless a test asks for faster wraps. */
    #ifndef MN_SYSTICK_RELOAD
    #define MN_SYSTICK_RELOAD 0xFFFFFFu
    #endif

    static volatile uint32_t systick_wraps;
    static volatile uint8_t rx_ring[256];
    static volatile uint32_t rx_head, rx_tail;   /* written by the interrupt, read by mn_getc */

    void SysTick_Handler(void) { systick_wraps++; }

    void UART0RX_Handler(void) {
        /* Clear first, then drain: a byte that lands after the last check raises the interrupt
           again. (Clearing after draining can lose that byte's interrupt, and with RX full the
           UART then accepts nothing more: the board goes deaf.) When the ring is full the byte
           stays in the UART, which holds the sender back (qemu waits; a real UART would overrun
           after one more byte), and mn_getc takes it once the ring is empty. */
        UART0_INTCLEAR = 2u;
        while ((UART0_STATE & 2u) && rx_head - rx_tail < sizeof rx_ring) rx_ring[rx_head++ % sizeof rx_ring] = (uint8_t)UART0_DATA;
    }

    void mn_board_init(void) {
        UART0_BAUDDIV = MN_CLOCK_HZ / 115200u;
        UART0_CTRL = 1u | 2u | 8u;
        (void)UART0_DATA;  /* a read makes qemu offer bytes that arrived before RX was on */
        UART0_INTCLEAR = 2u;
        NVIC_ISER0 = 1u << 0;
        SYST_RVR = MN_SYSTICK_RELOAD;
        SYST_CVR = 0;
        SYST_CSR = 7u;  /* CPU clock, interrupt on wrap, enabled */
        __asm volatile ("cpsie i");
    }

    void mn_putc(char c) {
        while (UART0_STATE & 1u) {}
        UART0_DATA = (uint8_t)c;
    }

    void mn_puts(const char *s) { while (*s) mn_putc(*s++); }

    void mn_put_u64(uint64_t value) {
        char digits[21];
        int n = 0;
        do { digits[n++] = (char)('0' + (int)(value % 10u)); value /= 10u; } while (value);
        while (n) mn_putc(digits[--n]);
    }

    void mn_put_int(int32_t value) {
        if (value < 0) { mn_putc('-'); mn_put_u64((uint64_t)(-(int64_t)value)); }
        else mn_put_u64((uint64_t)value);
    }

    int mn_getc(void) {
        int byte = -1;
        /* Masked, so the interrupt cannot slip a byte into the ring between the two checks (order). */
        __asm volatile ("cpsid i" ::: "memory");
        if (rx_tail != rx_head) {
            byte = rx_ring[rx_tail % sizeof rx_ring];
            rx_tail++;
        } else if (UART0_STATE & 2u) {
            /* a byte the interrupt left in the UART because the ring was full; reading it lets the next one in */
            byte = (uint8_t)UART0_DATA;
        }
        __asm volatile ("cpsie i" ::: "memory");
        return byte;
    }

    void mn_wait_for_input(void) {
        /* Check and sleep with interrupts masked: a byte arriving in between still wakes WFI,
           and its handler runs as soon as they are unmasked. */
        __asm volatile ("cpsid i" ::: "memory");
        if (rx_tail == rx_head && !(UART0_STATE & 2u)) __asm volatile ("wfi");
        __asm volatile ("cpsie i" ::: "memory");
    }

    uint64_t mn_ticks(void) {
        /* With interrupts masked the wrap count cannot change under us; a wrap whose handler has
           not run yet shows as SysTick pending (ICSR bit 26): count it, and re-read the counter,
           which has then certainly reloaded. */
        uint32_t wraps, value, primask;
        __asm volatile ("mrs %0, primask\n cpsid i" : "=r"(primask) :: "memory");
        wraps = systick_wraps;
        value = SYST_CVR;
        if (SCB_ICSR & (1u << 26)) { wraps++; value = SYST_CVR; }
        __asm volatile ("msr primask, %0" :: "r"(primask) : "memory");
        return (uint64_t)wraps * (MN_SYSTICK_RELOAD + 1u) + (MN_SYSTICK_RELOAD - value);
    }

    """#
}
