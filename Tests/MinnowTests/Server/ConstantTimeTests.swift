// The one comparison of submitted secrets (CSRF tokens, prediction keys' hashes).
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test func onlyTheSameNonEmptyTextMatches() {
        // act, check
        #expect(ConstantTime.matches("c0ffee", "c0ffee"))
        #expect(ConstantTime.matches("grüße", "grüße"))
        #expect(!ConstantTime.matches("c0ffee", "c0ffef"), "last byte differs")
        #expect(!ConstantTime.matches("d0ffee", "c0ffee"), "first byte differs")
        #expect(!ConstantTime.matches("c0ffee", "c0ffee0"), "different lengths")
        #expect(!ConstantTime.matches("c0ffee0", "c0ffee"), "different lengths")
        #expect(!ConstantTime.matches("", "c0ffee"))
        #expect(!ConstantTime.matches("", ""), "a missing token is not a match")
    }
}
