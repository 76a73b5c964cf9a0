//! The allocator settings the `mailtriage` binary runs with, here so that the benches that
//! declare the same global allocator (mimalloc) measure the same memory.

/// `mi_option_purge_delay` in mimalloc v2's `mi_option_e` (mimalloc.h); the crate leaves the
/// numeric options unnamed, so a test checks this is the option whose default is 10 ms.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory a batch freed goes back to the system at once rather than after mimalloc's 10 ms:
/// a daemon that works in bursts and then idles should not sit on its peak
/// (`cargo bench --bench imap_backlog`: peak RSS 103 → 95 MB, no time lost). Call it first
/// thing in `main`, before any other thread exists.
pub fn return_freed_memory_promptly() {
    // SAFETY: sets one integer option; the caller calls it before other threads exist.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_mimalloc_documents() {
        // SAFETY: reads one integer option.
        let default = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(default, 10, "mimalloc's option numbering changed");
    }
}
