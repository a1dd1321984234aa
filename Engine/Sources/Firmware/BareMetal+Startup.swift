// Board support for Minnow's bare-metal images, part 1: the startup code (vector table,
// .data copy, .bss clear, FPU enable where the CPU has one) and the linker script for an
// EmulatedMachine's memory map. Plain C and GNU ld text as Swift constants, compiled by
// FirmwareBuilder. Not a HAL: no clocks, no pins, no heap beyond newlib's unused sbrk.

enum BareMetal {
    /// `startup.c`: vectors for the core exceptions and IRQs 0–31, then Reset_Handler → main().
    static let startup = #"""
        /* startup.c: vector table and reset handler for Minnow's bare-metal images (Cortex-M). */
        #include <stdint.h>

        extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;
        int main(void);

        void Reset_Handler(void);
        void Default_Handler(void);
        void Fault_Handler(void);
        void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
        void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
        void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
        void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));
        void UART0RX_Handler(void) __attribute__((weak, alias("Default_Handler")));

        __attribute__((section(".vectors"), used))
        void (*const mn_vectors[16 + 32])(void) = {
            (void (*)(void))&__stack_top, Reset_Handler, NMI_Handler, Fault_Handler,
            Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0, SVC_Handler, Default_Handler, 0, PendSV_Handler, SysTick_Handler,
            UART0RX_Handler, /* IRQ 0: UART0 RX on the MPS2 boards; IRQs 1-31 take the default handler */
            Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
            Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
            Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
            Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
            Default_Handler, Default_Handler, Default_Handler,
        };

        void Reset_Handler(void) {
            uint32_t *src = &__data_load, *dst = &__data_start;
            while (dst < &__data_end) *dst++ = *src++;
            for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
        #if defined(__ARM_FP)
            /* CPACR: full access to CP10 and CP11 (the FPU) before any floating-point instruction. */
            *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
            __asm volatile ("dsb\n isb");
        #endif
            main();
            for (;;) __asm volatile ("wfi");
        }

        /* An unexpected interrupt or a fault: stop here (a debugger shows where). */
        void Default_Handler(void) { for (;;) {} }
        void Fault_Handler(void) { for (;;) {} }

        """#

    /// The linker script: code and constants in the machine's code memory, data, bss and stack in RAM.
    static func linkerScript(for machine: EmulatedMachine) -> String {
        """
        /* \(machine.machine).ld: memory map of the emulated \(machine.core) board. */
        MEMORY
        {
          FLASH (rx)  : ORIGIN = \(hex(machine.flashOrigin)), LENGTH = \(machine.flashBytes)
          RAM   (rwx) : ORIGIN = \(hex(machine.ramOrigin)), LENGTH = \(machine.ramBytes)
        }
        ENTRY(Reset_Handler)
        SECTIONS
        {
          .text : {
            KEEP(*(.vectors))
            KEEP(*(.rodata.minnow_id))
            *(.text .text.*)
            *(.rodata .rodata.*)
            . = ALIGN(4);
          } > FLASH
          .ARM.exidx : { *(.ARM.exidx* .gnu.linkonce.armexidx.*) } > FLASH
          __data_load = LOADADDR(.data);
          .data : ALIGN(4) {
            __data_start = .;
            *(.data .data.*)
            . = ALIGN(4);
            __data_end = .;
          } > RAM AT > FLASH
          .bss (NOLOAD) : ALIGN(4) {
            __bss_start = .;
            *(.bss .bss.* COMMON)
            . = ALIGN(4);
            __bss_end = .;
            end = .;
          } > RAM
          __stack_top = ORIGIN(RAM) + LENGTH(RAM);
        }

        """
    }

    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
