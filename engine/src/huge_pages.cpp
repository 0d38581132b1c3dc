// Large C++ allocations in transparent huge pages (issue 20: reading and writing speed).
//
// On the project's VM, touching fresh memory is the largest single cost of reading a file:
// each 4 KiB page first written is a guest page fault and a host one, and reading 1M police.uk
// rows writes about 300 MB (perf of bench_read: 16-21% of the CPU in the page-fault path, where
// parsing is 7%). The kernel there gives transparent huge pages only where a program asks
// ("madvise" in /sys/kernel/mm/transparent_hugepage/enabled), and glibc asks only when the
// tunable glibc.malloc.hugetlb=1 is set before a process starts. So this object, linked into
// hotspot, the tests and the benchmarks, replaces the global operator new: a block of 2 MiB or
// more is allocated 2 MiB-aligned in whole 2 MiB units and advised MADV_HUGEPAGE, so its
// pages fault in 512 at a time; a smaller block is malloc's, as before. operator delete is
// free() for both. Advice only: where huge pages are off it changes nothing. Left out under
// AddressSanitizer, which owns new and delete.
#include <cstdint>
#include <cstdlib>
#include <new>

#include <sys/mman.h>

#if !defined(__SANITIZE_ADDRESS__)

namespace {

constexpr std::size_t huge_page = std::size_t(2) << 20;

void* try_allocate(std::size_t n) noexcept {
    if (n < huge_page) return std::malloc(n ? n : 1);
    if (n > SIZE_MAX - huge_page) return nullptr;
    const std::size_t rounded = (n + huge_page - 1) & ~(huge_page - 1);
    void* p = std::aligned_alloc(huge_page, rounded);
    if (p) madvise(p, rounded, MADV_HUGEPAGE);
    return p;
}

void* allocate(std::size_t n) {
    while (true) {
        if (void* p = try_allocate(n)) return p;
        std::new_handler h = std::get_new_handler();
        if (!h) throw std::bad_alloc();
        h();
    }
}

} // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

#endif
