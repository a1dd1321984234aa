// Hands memory that was freed back to the system. glibc's malloc keeps freed memory in its
// arenas (one per thread that allocated, up to 8 per core) and returns it only from the top
// of the main heap; what a training's threads or a large export freed in the middle of an
// arena stays resident, so a long-running worker and server grow in RSS although what they
// hold does not. `malloc_trim(0)` releases every arena's free pages (madvise), in a few
// milliseconds. Not a cache bound: nothing live is dropped.
//
// MINNOW_MALLOC_LOG=FILE (a debugging switch, used by the soak investigation) appends, before
// and after each trim, the process's RSS and glibc's `malloc_info` XML (per arena: free and
// system bytes), to tell memory still held from memory freed but not returned.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

package enum FreedMemory {
    /// Caps glibc's malloc at `count` arenas for this process (`mallopt(M_ARENA_MAX, count)`),
    /// unless the operator set `MALLOC_ARENA_MAX` (glibc has applied that already). Every event
    /// loop, thread-pool and training thread otherwise gets an arena of its own (up to 8 per
    /// core), and free memory is spread across all of them, each keeping its own free pages
    /// (see benchmarks/soak: the worker grew 1.2 MiB/min with the default, 0.4 with two).
    /// Call it first thing in a long-running process, before its threads allocate.
    package static func limitArenas(to count: Int32 = 2) {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        typealias Option = @convention(c) (Int32, Int32) -> Int32
        let arenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>, which Swift's Glibc module leaves out
        if let symbol = dlsym(nil, "mallopt") { _ = unsafeBitCast(symbol, to: Option.self)(arenaMax, count) }
        #endif
    }

    /// Returns the heap's free pages to the system (`malloc_trim(0)`); a no-op off glibc.
    package static func release(after label: String) {
        #if canImport(Glibc)
        // Swift's Glibc module leaves out <malloc.h>, so the functions are looked up by name.
        typealias Trim = @convention(c) (Int) -> Int32
        log(label, "before")
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: Trim.self)(0) }
        log(label, "after")
        #endif
    }

    #if canImport(Glibc)
    private static func log(_ label: String, _ moment: String) {
        typealias Info = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
        guard let path = ProcessInfo.processInfo.environment["MINNOW_MALLOC_LOG"],
            let symbol = dlsym(nil, "malloc_info"), let file = fopen(path, "a")
        else { return }
        defer { fclose(file) }
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let residentPages = Int(statm.split(separator: " ").dropFirst().first ?? "") ?? 0
        fputs(
            "<sample pid=\"\(getpid())\" label=\"\(label)\" moment=\"\(moment)\" time=\"\(Date().timeIntervalSince1970)\" "
                + "rss=\"\(residentPages * Int(sysconf(Int32(_SC_PAGESIZE))))\"/>\n", file)
        _ = unsafeBitCast(symbol, to: Info.self)(0, file)
    }
    #endif
}
