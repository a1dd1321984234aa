import XCTest
@testable import MinnowBridge
