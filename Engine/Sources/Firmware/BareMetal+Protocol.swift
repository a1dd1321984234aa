// Board support for Minnow's bare-metal images, part 3: `main.c`, the Minnow board protocol v1
// (docs/board-protocol.md) around one generated model: a boot line with the firmware and model
// hashes, then `info` and `infer <hex>` answered line by line, errors for anything else, idle in
// WFI between commands. Not a shell: no echo, no line editing, one command at a time.

extension BareMetal {
    /// The facts the boot line reports, fixed at build time.
    struct BootFacts {
        var board: String
        var modelHash: String
        var clockHz: Int
        var inputBytes: Int
    }

    /// `main.c` for the library named `name` (its header is `<name>.h`). The firmware hash comes
    /// from `firmware_id.c`, written after hashing everything else.
    static func protocolMain(name: String, facts: BootFacts) -> String {
        let upper = name.uppercased()
        return #"""
            /* main.c: the Minnow board protocol v1 around the model "\#(name)" (docs/board-protocol.md). */
            #include <stdint.h>
            #include "board.h"
            #include "\#(name).h"

            extern const char mn_firmware_hash[];
            static const char model_hash[] = "\#(facts.modelHash)";
            static const char board_name[] = "\#(facts.board)";

            #define LINE_MAX (2 * \#(upper)_INPUT_SIZE + 16)
            static char line[LINE_MAX + 1];
            static int8_t input[\#(upper)_INPUT_SIZE], output[\#(upper)_OUTPUT_SIZE];

            static void hello(const char *event) {
                mn_puts("{\"event\":\""); mn_puts(event);
                mn_puts("\",\"protocol\":1,\"firmware\":\""); mn_puts(mn_firmware_hash);
                mn_puts("\",\"model\":\""); mn_puts(model_hash);
                mn_puts("\",\"board\":\""); mn_puts(board_name);
                mn_puts("\",\"input\":"); mn_put_int(\#(upper)_INPUT_SIZE);
                mn_puts(",\"output\":"); mn_put_int(\#(upper)_OUTPUT_SIZE);
                mn_puts(",\"arena\":"); mn_put_int(\#(upper)_ARENA_SIZE);
                mn_puts(",\"clock_hz\":"); mn_put_int(\#(facts.clockHz));
                mn_puts("}\n");
            }

            static void error(const char *message, int number) {
                mn_puts("{\"event\":\"error\",\"message\":\""); mn_puts(message);
                if (number >= 0) mn_put_int(number);
                mn_puts("\"}\n");
            }

            static int hex_digit(char c) {
                if (c >= '0' && c <= '9') return c - '0';
                if (c >= 'a' && c <= 'f') return c - 'a' + 10;
                if (c >= 'A' && c <= 'F') return c - 'A' + 10;
                return -1;
            }

            static int starts_with(const char *text, const char *prefix) {
                while (*prefix) if (*text++ != *prefix++) return 0;
                return 1;
            }

            static void infer(const char *hex, int length) {
                uint32_t start, ticks;
                int i, k;
                if (length != 2 * \#(upper)_INPUT_SIZE) {
                    error("infer needs exactly \#(2 * facts.inputBytes) hex characters, got ", length);
                    return;
                }
                for (i = 0; i < \#(upper)_INPUT_SIZE; ++i) {
                    int high = hex_digit(hex[2 * i]), low = hex_digit(hex[2 * i + 1]);
                    if (high < 0 || low < 0) { error("infer: not a hex digit at character ", 2 * i + (high < 0 ? 0 : 1)); return; }
                    input[i] = (int8_t)(uint8_t)(high * 16 + low);
                }
                start = mn_ticks();
                \#(name)_invoke(input, output);
                ticks = mn_ticks() - start;
                mn_puts("{\"event\":\"inference\",\"output\":[");
                for (k = 0; k < \#(upper)_OUTPUT_SIZE; ++k) { if (k) mn_putc(','); mn_put_int(output[k]); }
                mn_puts("],\"ticks\":"); mn_put_u64(ticks);
                mn_puts("}\n");
            }

            static void command(int length) {
                if (length == 4 && starts_with(line, "info")) hello("info");
                else if (length >= 6 && starts_with(line, "infer ")) infer(line + 6, length - 6);
                else error("unknown command (expected info or infer <hex>)", -1);
            }

            int main(void) {
                int length = 0, overflow = 0;
                mn_board_init();
                \#(name)_init();
                hello("boot");
                for (;;) {
                    int c = mn_getc();
                    if (c < 0) { mn_wait_for_input(); continue; }
                    if (c == '\n') {
                        if (length > 0 && line[length - 1] == '\r') length--;
                        line[length] = 0;
                        if (overflow) error("line too long: at most ", LINE_MAX);
                        else if (length > 0) command(length);
                        length = 0; overflow = 0;
                    } else if (length < LINE_MAX) {
                        line[length++] = (char)c;
                    } else {
                        overflow = 1;
                    }
                }
            }

            """#
    }

    /// `firmware_id.c`: the firmware hash, the one file not covered by it.
    static func firmwareID(_ hash: String) -> String {
        """
        /* firmware_id.c: SHA-256 of every other source and flag of this image (kept by the linker script). */
        __attribute__((section(".rodata.minnow_id"), used)) const char mn_firmware_hash[] = "\(hash)";

        """
    }
}
