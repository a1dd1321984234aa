// Board support for Minnow's bare-metal images, part 2: the CMSDK APB UART0 driver (as on
// mps2-an385/an386/an500: 0x40004000, RX interrupt 0, 115200 baud from the 25 MHz clock) and
// a free-running 32-bit TIMER0 for timing (`ticks.h`). Plain C as Swift constants. Polled
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
        uint32_t mn_ticks(void);              /* ticks of a free-running 32-bit counter at MN_CLOCK_HZ; durations are
                                                 differences as uint32_t (up to 2^32 ticks: 171 s at 25 MHz) */

        #endif

        """#

    /// `board.c`: the CMSDK UART and SysTick drivers.
    static let boardSource = #"""
        /* board.c: CMSDK APB UART0 and SysTick for the emulated MPS2 boards. */
        #include "board.h"
        #include "ticks.h"

        #define UART0_DATA      (*(volatile uint32_t *)0x40004000u)
        #define UART0_STATE     (*(volatile uint32_t *)0x40004004u)  /* bit 0 TX full, bit 1 RX full */
        #define UART0_CTRL      (*(volatile uint32_t *)0x40004008u)  /* bit 0 TX on, bit 1 RX on, bit 3 RX interrupt */
        #define UART0_INTCLEAR  (*(volatile uint32_t *)0x4000400Cu)  /* bit 1 RX */
        #define UART0_BAUDDIV   (*(volatile uint32_t *)0x40004010u)
        #define NVIC_ISER0      (*(volatile uint32_t *)0xE000E100u)

        #ifndef MN_CLOCK_HZ
        #define MN_CLOCK_HZ 25000000u
        #endif
        static volatile uint8_t rx_ring[256];
        static volatile uint32_t rx_head, rx_tail;   /* written by the interrupt, read by mn_getc */

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
            mn_counter_start();
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

        uint32_t mn_ticks(void) { return mn_counter_read(); }

        """#

    /// `ticks.h`: the free-running 32-bit up-counter that times inferences, for `machine`.
    /// A TIMER0 peripheral and no interrupt: qemu raises SysTick's wrap interrupt some time
    /// after its counter has visibly reloaded, so a SysTick count with wraps added by the
    /// interrupt reads a whole period short now and then. A 32-bit counter read once needs no
    /// wrap bookkeeping: durations are `uint32_t` differences.
    static func tickCounter(for machine: EmulatedMachine) -> String {
        let counter: String
        switch machine.peripherals {
        case .cmsdk:
            counter = """
                /* CMSDK APB TIMER0 at the peripheral clock: counts down from 0xFFFFFFFF and reloads it at 0. */
                #define MN_TIMER0_CTRL   (*(volatile uint32_t *)0x40000000u)
                #define MN_TIMER0_VALUE  (*(volatile uint32_t *)0x40000004u)
                #define MN_TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)
                static inline void mn_counter_start(void) {
                    MN_TIMER0_CTRL = 0u;
                    MN_TIMER0_RELOAD = 0xFFFFFFFFu;
                    MN_TIMER0_VALUE = 0xFFFFFFFFu;
                    MN_TIMER0_CTRL = 1u;  /* enabled, internal clock, no interrupt */
                }
                static inline uint32_t mn_counter_read(void) { return ~MN_TIMER0_VALUE; }
                """
        case .nrf51:
            counter = """
                /* nRF51 TIMER0 in 32-bit timer mode at 16 MHz (prescaler 0), read through capture register 0. */
                #define MN_TIMER0_START     (*(volatile uint32_t *)0x40008000u)
                #define MN_TIMER0_CAPTURE0  (*(volatile uint32_t *)0x40008040u)
                #define MN_TIMER0_MODE      (*(volatile uint32_t *)0x40008504u)
                #define MN_TIMER0_BITMODE   (*(volatile uint32_t *)0x40008508u)
                #define MN_TIMER0_PRESCALER (*(volatile uint32_t *)0x40008510u)
                #define MN_TIMER0_CC0       (*(volatile uint32_t *)0x40008540u)
                static inline void mn_counter_start(void) {
                    MN_TIMER0_MODE = 0u;
                    MN_TIMER0_BITMODE = 3u;
                    MN_TIMER0_PRESCALER = 0u;
                    MN_TIMER0_START = 1u;
                }
                static inline uint32_t mn_counter_read(void) { MN_TIMER0_CAPTURE0 = 1u; return MN_TIMER0_CC0; }
                """
        }
        return """
            /* ticks.h: a free-running 32-bit tick counter on \(machine.machine) (\(machine.tickHz) Hz). */
            #ifndef MN_TICKS_H
            #define MN_TICKS_H
            #include <stdint.h>
            \(counter)
            #endif

            """
    }
}
