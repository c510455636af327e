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
use object::elf;
use object::read::elf::{ElfFile64, FileHeader, ProgramHeader};
use object::Endianness;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;

const AT_NULL: u64 = 0;
const AT_PAGESZ: u64 = 6;
const AT_HWCAP: u64 = 16;
const AT_RANDOM: u64 = 25;

/// A PT_LOAD segment: where its bytes are in the file and where they go.
struct Segment {
    offset: usize,
    vaddr: u64,
    filesz: usize,
    memsz: u64,
    /// PF_R, PF_W, PF_X.
    flags: u32,
}

/// The entry point and loadable segments of an x86_64 ELF64 executable.
fn layout(image: &[u8]) -> Result<(u64, Vec<Segment>)> {
    const ONLY: &str = "the loader runs x86_64 ELF64 executables only";
    let f = ElfFile64::<Endianness>::parse(image).map_err(|_| ONLY)?;
    let e = f.endian();
    if f.elf_header().e_machine(e) != elf::EM_X86_64 {
        return Err(ONLY.into());
    }
    let mut segments = Vec::new();
    for ph in f.elf_program_headers() {
        if ph.p_type(e) != elf::PT_LOAD {
            continue;
        }
        let (offset, filesz) = (ph.p_offset(e), ph.p_filesz(e));
        if offset
            .checked_add(filesz)
            .is_none_or(|end| end > image.len() as u64)
        {
            return Err("a segment extends past the file".into());
        }
        segments.push(Segment {
            offset: offset as usize,
            vaddr: ph.p_vaddr(e),
            filesz: filesz as usize,
            memsz: ph.p_memsz(e),
            flags: ph.p_flags(e),
        });
    }
    Ok((f.elf_header().e_entry(e), segments))
}

/// Runs the static x86_64 executable `exe` with `args` and `env`, giving
/// it an auxiliary vector that lacks the tags in `drop`.
pub fn run(exe: &Path, args: &[&str], env: &[&str], drop: &[u64]) -> Result<Outcome> {
    let image = std::fs::read(exe).map_err(|e| format!("{}: {e}", exe.display()))?;
    let (entry, segments) = layout(&image)?;
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
                &image, entry, &segments, args, env, drop, out_fds[1], err_fds[1],
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
    use std::os::unix::process::ExitStatusExt;
    Ok(Outcome {
        status: std::process::ExitStatus::from_raw(status),
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
    segments: &[Segment],
    args: &[&str],
    env: &[&str],
    drop: &[u64],
    out: i32,
    err: i32,
) -> ! {
    libc::dup2(out, 1);
    libc::dup2(err, 2);
    let page = 4096u64;
    for &Segment {
        offset,
        vaddr,
        filesz,
        memsz,
        flags,
    } in segments
    {
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
        std::ptr::copy_nonoverlapping(image.as_ptr().add(offset), vaddr as *mut u8, filesz);
        let prot = [
            (elf::PF_R, libc::PROT_READ),
            (elf::PF_W, libc::PROT_WRITE),
            (elf::PF_X, libc::PROT_EXEC),
        ]
        .iter()
        .filter(|&&(pf, _)| flags & pf != 0)
        .fold(0, |prot, &(_, p)| prot | p);
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
