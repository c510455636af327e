//! `args` / `sysargs`: argc, argv, envp and the auxiliary vector.
//!
//! The kernel leaves them on the initial stack: `sp[0]` = argc, then argc
//! argv pointers and a NULL, then the environment pointers and a NULL, then
//! (tag, value) word pairs up to AT_NULL. `parse` walks that layout; it is
//! pure pointer arithmetic, unit-tested on the host with fabricated stacks.
//!
//! What Go takes from the auxiliary vector, we take: AT_PAGESZ (the physical
//! page size), AT_HWCAP/AT_HWCAP2 (CPU features, for `checkgoarm`),
//! AT_RANDOM (16 random bytes that seed the runtime's fast random) and
//! AT_SYSINFO_EHDR (the vDSO, kept for the clock). When AT_PAGESZ or
//! AT_RANDOM is missing we read /proc/self/auxv as Go does; failing that the
//! page size defaults to 4096 and the seed comes from `getrandom`.

use crate::os;

pub const AT_NULL: usize = 0;
pub const AT_PAGESZ: usize = 6;
pub const AT_HWCAP: usize = 16;
pub const AT_RANDOM: usize = 25;
pub const AT_HWCAP2: usize = 26;
pub const AT_SYSINFO_EHDR: usize = 33;

/// The page size assumed when neither the auxiliary vector nor
/// /proc/self/auxv tells.
pub const DEFAULT_PAGE_SIZE: usize = 4096;

/// What the runtime keeps from the auxiliary vector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Auxv {
    pub pagesz: Option<usize>,
    pub hwcap: Option<usize>,
    pub hwcap2: Option<usize>,
    /// Address of 16 random bytes provided by the kernel.
    pub random: Option<usize>,
    pub sysinfo_ehdr: Option<usize>,
}

impl Auxv {
    /// Takes one (tag, value) pair; unknown tags are ignored. Returns false
    /// at AT_NULL.
    pub fn take(&mut self, tag: usize, val: usize) -> bool {
        match tag {
            AT_NULL => return false,
            AT_PAGESZ => self.pagesz = Some(val),
            AT_HWCAP => self.hwcap = Some(val),
            AT_HWCAP2 => self.hwcap2 = Some(val),
            AT_RANDOM => self.random = Some(val),
            AT_SYSINFO_EHDR => self.sysinfo_ehdr = Some(val),
            _ => {}
        }
        true
    }

    /// Fills what is still missing from a second source (pairs of words, as
    /// in /proc/self/auxv); what is already known is kept.
    pub fn fill_from_words(&mut self, words: &[usize]) {
        let mut other = Auxv::default();
        for pair in words.chunks_exact(2) {
            if !other.take(pair[0], pair[1]) {
                break;
            }
        }
        self.pagesz = self.pagesz.or(other.pagesz);
        self.hwcap = self.hwcap.or(other.hwcap);
        self.hwcap2 = self.hwcap2.or(other.hwcap2);
        self.random = self.random.or(other.random);
        self.sysinfo_ehdr = self.sysinfo_ehdr.or(other.sysinfo_ehdr);
    }

    /// True when something Go would look for elsewhere is missing.
    pub fn incomplete(&self) -> bool {
        self.pagesz.is_none() || self.random.is_none() || self.hwcap.is_none()
    }
}

/// Where the auxiliary values came from, in the order of the fallbacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AuxvSource {
    /// All from the initial stack.
    Stack,
    /// /proc/self/auxv filled gaps.
    ProcSelfAuxv,
    /// Defaults filled gaps.
    Defaults,
}

impl AuxvSource {
    pub fn name(self) -> &'static str {
        match self {
            AuxvSource::Stack => "stack",
            AuxvSource::ProcSelfAuxv => "stack+/proc/self/auxv",
            AuxvSource::Defaults => "defaults",
        }
    }
}

/// The process's arguments, environment and auxiliary vector.
#[derive(Clone, Copy, Debug)]
pub struct Startup {
    pub sp: *const usize,
    pub argc: usize,
    pub argv: *const *const u8,
    pub envc: usize,
    pub envp: *const *const u8,
    /// The auxiliary vector on the stack: (tag, value) pairs up to AT_NULL.
    pub auxv_ptr: *const usize,
    pub auxv: Auxv,
    /// The last fallback the auxiliary values needed.
    pub auxv_source: AuxvSource,
    pub physpagesize: usize,
    /// Seed for the runtime's fast random number generator.
    pub seed: [u8; 16],
}

impl Startup {
    pub const fn empty() -> Startup {
        Startup {
            sp: core::ptr::null(),
            argc: 0,
            argv: core::ptr::null(),
            envc: 0,
            envp: core::ptr::null(),
            auxv_ptr: core::ptr::null(),
            auxv: Auxv {
                pagesz: None,
                hwcap: None,
                hwcap2: None,
                random: None,
                sysinfo_ehdr: None,
            },
            auxv_source: AuxvSource::Stack,
            physpagesize: DEFAULT_PAGE_SIZE,
            seed: [0; 16],
        }
    }

    /// argv\[i\] as bytes without the NUL, or None past argc.
    pub fn arg(&self, i: usize) -> Option<&'static [u8]> {
        if i >= self.argc {
            return None;
        }
        // SAFETY: argv has argc valid NUL-terminated strings for the life of
        // the process (the kernel placed them above the initial stack).
        unsafe { Some(cstr_bytes(*self.argv.add(i))) }
    }

    /// C's `getauxval`: the value for `tag` on the stack's auxiliary
    /// vector, else what the fallbacks found, else 0.
    pub fn getauxval(&self, tag: usize) -> usize {
        let mut p = self.auxv_ptr;
        // SAFETY: auxv_ptr was found by `parse` and the vector ends with
        // AT_NULL; it lives on the initial stack for the whole process.
        unsafe {
            while !p.is_null() && *p != AT_NULL {
                if *p == tag {
                    return *p.add(1);
                }
                p = p.add(2);
            }
        }
        let a = &self.auxv;
        match tag {
            AT_PAGESZ => self.physpagesize,
            AT_HWCAP => a.hwcap.unwrap_or(0),
            AT_HWCAP2 => a.hwcap2.unwrap_or(0),
            AT_RANDOM => a.random.unwrap_or(0),
            AT_SYSINFO_EHDR => a.sysinfo_ehdr.unwrap_or(0),
            _ => 0,
        }
    }

    /// The environment entries, `NAME=value`, as bytes.
    pub fn env(&self) -> impl Iterator<Item = &'static [u8]> {
        let envp = self.envp;
        // SAFETY: as for `arg`; envc entries were counted by `parse`.
        (0..self.envc).map(move |i| unsafe { cstr_bytes(*envp.add(i)) })
    }

    /// `gogetenv`: the value of `name`, or None when unset. The first entry
    /// wins, as with glibc's getenv.
    pub fn getenv(&self, name: &[u8]) -> Option<&'static [u8]> {
        // `get`, not `strip_prefix`, whose slicing keeps a panic path.
        self.env().find_map(|kv| {
            (kv.get(..name.len()) == Some(name) && kv.get(name.len()) == Some(&b'='))
                .then(|| kv.get(name.len() + 1..).unwrap_or(&[]))
        })
    }
}

/// The bytes of a NUL-terminated string, without the NUL.
///
/// # Safety
/// `p` must point at a NUL-terminated string that lives for 'static.
pub unsafe fn cstr_bytes(p: *const u8) -> &'static [u8] {
    let mut n = 0;
    // SAFETY: p points at a NUL-terminated string (caller): every byte up
    // to and including the NUL is readable and inside that string.
    while unsafe { *p.add(n) } != 0 {
        n += 1;
    }
    // SAFETY: the n bytes before the NUL are one initialised allocation
    // that lives for 'static and is never written (caller).
    unsafe { core::slice::from_raw_parts(p, n) }
}

/// Walks the initial stack at `sp`.
///
/// # Safety
/// `sp` must point at a stack laid out as the kernel's `execve` leaves it.
pub unsafe fn parse(sp: *const usize) -> Startup {
    let mut st = Startup::empty();
    st.sp = sp;
    // SAFETY: the kernel left argc at sp, then argc argv pointers and a
    // NULL, all within the initial stack (caller).
    unsafe {
        st.argc = *sp;
        st.argv = sp.add(1) as *const *const u8;
        st.envp = st.argv.add(st.argc + 1);
    }
    let mut n = 0;
    // SAFETY: envp is the kernel's NULL-terminated environment array
    // (caller): every entry up to the NULL is readable.
    while !unsafe { *st.envp.add(n) }.is_null() {
        n += 1;
    }
    st.envc = n;
    // SAFETY: the auxiliary vector follows envp's NULL (caller).
    let mut aux = unsafe { st.envp.add(n + 1) } as *const usize;
    st.auxv_ptr = aux;
    // SAFETY: the auxiliary vector is (tag, value) word pairs ending with
    // an AT_NULL pair (caller): each pair read is readable, and `take`
    // stops at AT_NULL.
    while unsafe { st.auxv.take(*aux, *aux.add(1)) } {
        // SAFETY: as above: the pair was not AT_NULL, so another follows.
        aux = unsafe { aux.add(2) };
    }
    st
}

/// `sysargs`' fallbacks: completes the auxiliary values from
/// /proc/self/auxv, then from defaults, and derives the page size and seed.
pub fn complete(st: &mut Startup) {
    if st.auxv.incomplete() {
        let mut words = [0usize; 128];
        if let Some(n) = read_proc_auxv(&mut words) {
            let before = st.auxv;
            st.auxv.fill_from_words(words.get(..n).unwrap_or(&[]));
            if st.auxv != before {
                st.auxv_source = AuxvSource::ProcSelfAuxv;
            }
        }
    }
    st.physpagesize = match st.auxv.pagesz {
        Some(p) if p.is_power_of_two() && p >= 1024 => p,
        _ => {
            st.auxv_source = AuxvSource::Defaults;
            DEFAULT_PAGE_SIZE
        }
    };
    match st.auxv.random {
        // SAFETY: AT_RANDOM points at 16 bytes the kernel placed on the
        // initial stack.
        Some(p) if p != 0 => unsafe {
            core::ptr::copy_nonoverlapping(p as *const u8, st.seed.as_mut_ptr(), 16)
        },
        _ => {
            st.auxv_source = AuxvSource::Defaults;
            if os::getrandom(&mut st.seed) != Ok(16) {
                // No kernel randomness at all: mix what differs between runs
                // under ASLR. The seed only spreads work (stealing order,
                // select), it protects nothing.
                let mix = (st.sp as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ st.argc as u64;
                st.seed = (mix as u128 | (mix.rotate_left(29) as u128) << 64).to_le_bytes();
            }
        }
    }
}

/// Reads /proc/self/auxv into `words`; the number of words read.
fn read_proc_auxv(words: &mut [usize]) -> Option<usize> {
    // SAFETY: a usize slice viewed as bytes; every bit pattern is valid.
    let bytes = unsafe {
        core::slice::from_raw_parts_mut(
            words.as_mut_ptr() as *mut u8,
            core::mem::size_of_val(words),
        )
    };
    let got = os::read_file(b"/proc/self/auxv\0", bytes);
    (got > 0).then_some(got / core::mem::size_of::<usize>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// Builds an initial stack the way execve does.
    fn stack(args: &[&str], env: &[&str], aux: &[(usize, usize)]) -> (Vec<usize>, Vec<Vec<u8>>) {
        let strings: Vec<Vec<u8>> = args
            .iter()
            .chain(env.iter())
            .map(|s| {
                let mut v = s.as_bytes().to_vec();
                v.push(0);
                v
            })
            .collect();
        let mut words = std::vec![args.len()];
        for s in &strings[..args.len()] {
            words.push(s.as_ptr() as usize);
        }
        words.push(0);
        for s in &strings[args.len()..] {
            words.push(s.as_ptr() as usize);
        }
        words.push(0);
        for &(t, v) in aux {
            words.push(t);
            words.push(v);
        }
        words.push(AT_NULL);
        words.push(0);
        (words, strings)
    }

    #[test]
    fn parses_args_env_and_auxv() {
        let (w, _s) = stack(
            &["prog", "a b", ""],
            &["X=1", "GOMAXPROCS=3"],
            &[
                (AT_PAGESZ, 16384),
                (AT_HWCAP, 0x2000),
                (99, 1),
                (AT_RANDOM, 1234),
            ],
        );
        let st = unsafe { parse(w.as_ptr()) };
        assert_eq!(st.argc, 3);
        assert_eq!(st.arg(0), Some(&b"prog"[..]));
        assert_eq!(st.arg(1), Some(&b"a b"[..]));
        assert_eq!(st.arg(2), Some(&b""[..]));
        assert_eq!(st.arg(3), None);
        assert_eq!(st.envc, 2);
        assert_eq!(st.getenv(b"GOMAXPROCS"), Some(&b"3"[..]));
        assert_eq!(
            st.getenv(b"GOMAXPROC"),
            None,
            "prefix of a name is not the name"
        );
        assert_eq!(st.getenv(b"Y"), None);
        assert_eq!(st.auxv.pagesz, Some(16384));
        assert_eq!(st.auxv.hwcap, Some(0x2000));
        assert_eq!(st.auxv.random, Some(1234));
        assert_eq!(st.auxv.hwcap2, None);
        assert_eq!(st.getauxval(99), 1);
        assert_eq!(st.getauxval(AT_HWCAP2), 0);
        assert_eq!(st.getauxval(AT_RANDOM), 1234);
    }

    #[test]
    fn empty_environment_and_no_auxv() {
        let (w, _s) = stack(&["p"], &[], &[]);
        let st = unsafe { parse(w.as_ptr()) };
        assert_eq!(st.envc, 0);
        assert_eq!(st.getenv(b"PATH"), None);
        assert!(st.auxv.incomplete());
    }

    #[test]
    fn missing_values_filled_from_second_source_only() {
        let mut a = Auxv {
            pagesz: Some(4096),
            ..Auxv::default()
        };
        a.fill_from_words(&[AT_PAGESZ, 65536, AT_RANDOM, 77, AT_NULL, 0, AT_HWCAP, 5]);
        assert_eq!(a.pagesz, Some(4096), "the stack's value wins");
        assert_eq!(a.random, Some(77));
        assert_eq!(a.hwcap, None, "nothing after AT_NULL is read");
    }

    #[test]
    fn complete_defaults_page_size_and_seeds() {
        let (w, _s) = stack(&["p"], &[], &[(AT_PAGESZ, 3000)]);
        let mut st = unsafe { parse(w.as_ptr()) };
        st.auxv.random = None;
        // /proc/self/auxv of the test process fills the gaps on Linux;
        // a nonsensical page size on the stack is replaced by the default.
        complete(&mut st);
        assert!(st.physpagesize.is_power_of_two());
        assert_ne!(st.seed, [0u8; 16]);
    }

    #[test]
    fn many_arguments() {
        let args: Vec<std::string::String> = (0..100_000).map(|i| std::format!("{i}")).collect();
        let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let (w, _s) = stack(&refs, &["A=b"], &[(AT_PAGESZ, 4096)]);
        let st = unsafe { parse(w.as_ptr()) };
        assert_eq!(st.argc, 100_000);
        assert_eq!(st.arg(99_999), Some(&b"99999"[..]));
        assert_eq!(st.getenv(b"A"), Some(&b"b"[..]));
    }
}
