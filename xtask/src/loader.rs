//! A user-space `execve` for the auxiliary-vector tests (x86_64 hosts).
//!
//! The kernel always passes AT_PAGESZ and AT_RANDOM, so the runtime's
//! fallbacks for a vector without them (/proc/self/auxv, then defaults)
//! can only be exercised by starting a program ourselves: in a forked
//! child, map the static executable's PT_LOAD segments at their addresses,
//! build the initial stack (argc, argv, envp, and an auxiliary vector
//! without the chosen entries) and jump to the entry point.

use crate::check::Outcome;
use crate::Result;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;

const AT_NULL: u64 = 0;
const AT_PAGESZ: u64 = 6;
const AT_HWCAP: u64 = 16;
const AT_RANDOM: u64 = 25;

fn u16_at(d: &[u8], o: usize) -> u64 {
    u16::from_le_bytes([d[o], d[o + 1]]) as u64
}
fn u32_at(d: &[u8], o: usize) -> u64 {
    u32::from_le_bytes(d[o..o + 4].try_into().unwrap()) as u64
}
fn u64_at(d: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(d[o..o + 8].try_into().unwrap())
}

/// Runs the static x86_64 executable `exe` with `args` and `env`, giving
/// it an auxiliary vector that lacks the tags in `drop`.
pub fn run(exe: &Path, args: &[&str], env: &[&str], drop: &[u64]) -> Result<Outcome> {
    let image = std::fs::read(exe).map_err(|e| format!("{}: {e}", exe.display()))?;
    if image.get(..5) != Some(b"\x7fELF\x02") || u16_at(&image, 0x12) != 62 {
        return Err("the loader runs x86_64 ELF64 executables only".into());
    }
    let entry = u64_at(&image, 0x18);
    let (phoff, phentsize, phnum) = (
        u64_at(&image, 0x20),
        u16_at(&image, 0x36),
        u16_at(&image, 0x38),
    );
    let mut out_fds = [0i32; 2];
    let mut err_fds = [0i32; 2];
    // SAFETY: plain pipe creation.
    if unsafe { libc::pipe(out_fds.as_mut_ptr()) } != 0
        || unsafe { libc::pipe(err_fds.as_mut_ptr()) } != 0
    {
        return Err("pipe failed".into());
    }
    // SAFETY: the child only calls async-signal-safe functions (mmap,
    // mprotect, dup2, memcpy on its own mappings) before jumping away.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err("fork failed".into());
    }
    if pid == 0 {
        // SAFETY: in the child; see above.
        unsafe {
            child(
                &image, entry, phoff, phentsize, phnum, args, env, drop, out_fds[1], err_fds[1],
            )
        }
    }
    // SAFETY: closing our copies of the write ends; wrapping the read ends.
    let (mut so, mut se) = unsafe {
        libc::close(out_fds[1]);
        libc::close(err_fds[1]);
        (
            std::fs::File::from(OwnedFd::from_raw_fd(out_fds[0])),
            std::fs::File::from(OwnedFd::from_raw_fd(err_fds[0])),
        )
    };
    let t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let mut out = Vec::new();
    let _ = so.read_to_end(&mut out);
    let err = t.join().unwrap_or_default();
    let mut status = 0;
    // SAFETY: waiting for our child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        Some(128 + libc::WTERMSIG(status))
    };
    Ok(Outcome {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
        timed_out: false,
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn child(
    image: &[u8],
    entry: u64,
    phoff: u64,
    phentsize: u64,
    phnum: u64,
    args: &[&str],
    env: &[&str],
    drop: &[u64],
    out: i32,
    err: i32,
) -> ! {
    libc::dup2(out, 1);
    libc::dup2(err, 2);
    let page = 4096u64;
    for i in 0..phnum {
        let ph = (phoff + i * phentsize) as usize;
        if u32_at(image, ph) != 1 {
            continue;
        }
        let flags = u32_at(image, ph + 4);
        let (off, vaddr, filesz, memsz) = (
            u64_at(image, ph + 8),
            u64_at(image, ph + 0x10),
            u64_at(image, ph + 0x20),
            u64_at(image, ph + 0x28),
        );
        let start = vaddr & !(page - 1);
        let end = (vaddr + memsz + page - 1) & !(page - 1);
        let p = libc::mmap(
            start as *mut _,
            (end - start) as usize,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            libc::_exit(120);
        }
        std::ptr::copy_nonoverlapping(
            image.as_ptr().add(off as usize),
            vaddr as *mut u8,
            filesz as usize,
        );
        let prot = (if flags & 4 != 0 { libc::PROT_READ } else { 0 })
            | (if flags & 2 != 0 { libc::PROT_WRITE } else { 0 })
            | (if flags & 1 != 0 { libc::PROT_EXEC } else { 0 });
        libc::mprotect(start as *mut _, (end - start) as usize, prot);
    }
    // The new stack: strings at the top, then the vectors below them.
    let size = 1 << 20;
    let base = libc::mmap(
        std::ptr::null_mut(),
        size,
        libc::PROT_READ | libc::PROT_WRITE,
        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
        -1,
        0,
    ) as usize;
    if base == libc::MAP_FAILED as usize {
        libc::_exit(121);
    }
    let mut top = base + size;
    let mut put = |s: &str| -> u64 {
        top -= s.len() + 1;
        std::ptr::copy_nonoverlapping(s.as_ptr(), top as *mut u8, s.len());
        *((top + s.len()) as *mut u8) = 0;
        top as u64
    };
    let argv: Vec<u64> = args.iter().map(|a| put(a)).collect();
    let envp: Vec<u64> = env.iter().map(|e| put(e)).collect();
    let mut words: Vec<u64> = vec![argv.len() as u64];
    words.extend(&argv);
    words.push(0);
    words.extend(&envp);
    words.push(0);
    let random = put("0123456789abcdef");
    for (tag, val) in [
        (AT_PAGESZ, page),
        (AT_HWCAP, libc::getauxval(libc::AT_HWCAP)),
        (AT_RANDOM, random),
    ] {
        if !drop.contains(&tag) {
            words.push(tag);
            words.push(val);
        }
    }
    words.push(AT_NULL);
    words.push(0);
    let sp = ((top - words.len() * 8) & !15) as *mut u64;
    std::ptr::copy_nonoverlapping(words.as_ptr(), sp, words.len());
    std::arch::asm!("mov rsp, {sp}", "xor ebp, ebp", "xor edx, edx", "jmp {entry}", sp = in(reg) sp, entry = in(reg) entry, options(noreturn));
}
