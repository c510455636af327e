//! Environment variables the runtime reads: GOMAXPROCS, GODEBUG and
//! GOTRACEBACK.
//!
//! Both follow Go: a bad value is never an error. GOMAXPROCS is used only
//! when Go's `atoi32` accepts it (an optional `-`, then decimal digits only,
//! fitting in an int32) and it is positive; anything else — empty, `0`,
//! `-1`, `abc`, `" 2"`, `+2`, `3x`, past int32 — silently means "the CPU
//! count". Unlike Go, a value above `MAX_GOMAXPROCS` is clamped to it rather
//! than dying of out-of-memory while allocating the Ps.

/// The most Ps the runtime makes, whatever GOMAXPROCS asks. Go had the same
/// cap (`_MaxGomaxprocs`) until 1.10; with it every P fits in a static
/// table and no GOMAXPROCS value can exhaust memory.
pub const MAX_GOMAXPROCS: i32 = 1024;

/// Go's `atoi32`.
pub fn atoi32(s: &[u8]) -> Option<i32> {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as i64;
        if n > i32::MAX as i64 + 1 {
            return None;
        }
    }
    let n = if neg { -n } else { n };
    i32::try_from(n).ok()
}

/// Where the number of Ps came from, for `boottrace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcsSource {
    /// GOMAXPROCS unset or not a positive integer: the CPU count.
    Ncpu,
    /// GOMAXPROCS, taken as given.
    Env,
    /// GOMAXPROCS above `MAX_GOMAXPROCS`, clamped.
    Clamped,
}

impl ProcsSource {
    pub fn name(self) -> &'static str {
        match self {
            ProcsSource::Ncpu => "ncpu",
            ProcsSource::Env => "GOMAXPROCS",
            ProcsSource::Clamped => "GOMAXPROCS, clamped",
        }
    }
}

/// `schedinit`'s choice of the number of Ps.
pub fn gomaxprocs(env: Option<&[u8]>, ncpu: i32) -> (i32, ProcsSource) {
    let base = ncpu.clamp(1, MAX_GOMAXPROCS);
    match env.and_then(atoi32) {
        Some(n) if n > MAX_GOMAXPROCS => (MAX_GOMAXPROCS, ProcsSource::Clamped),
        Some(n) if n > 0 => (n, ProcsSource::Env),
        _ => (
            base,
            if base == ncpu {
                ProcsSource::Ncpu
            } else {
                ProcsSource::Clamped
            },
        ),
    }
}

/// The GODEBUG settings the runtime understands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DebugVars {
    /// `boottrace=1`: print each bootstrap step to stderr.
    pub boottrace: i32,
    /// `schedtrace=N`: a scheduler summary every N ms.
    pub schedtrace: i32,
    /// `scheddetail=1`: with schedtrace, one line per P, M and G.
    pub scheddetail: i32,
    /// `schedchaos=N`: random yields and delays at one in N of the
    /// scheduler's hand-off points (see `chaos`); 0 is off.
    pub schedchaos: i32,
    /// `asyncpreemptoff=1`: no preemption signals (see `preempt`).
    pub asyncpreemptoff: i32,
}

/// Go's `parsedebugvars`: comma-separated `key=value`; a later setting of
/// the same key wins; unknown keys and malformed values are ignored.
pub fn parse_godebug(s: &[u8]) -> DebugVars {
    let mut d = DebugVars::default();
    for item in s.split(|&c| c == b',') {
        let mut kv = item.splitn(2, |&c| c == b'=');
        let (Some(key), Some(val)) = (kv.next(), kv.next()) else {
            continue;
        };
        // A table and slice equality (one `bcmp` each) rather than a
        // `match` on byte-string patterns, which compiles to one compare
        // and branch per byte of every key.
        let keys: [&[u8]; 5] = [
            b"boottrace",
            b"schedtrace",
            b"scheddetail",
            b"schedchaos",
            b"asyncpreemptoff",
        ];
        let Some(i) = keys.iter().position(|k| *k == key) else {
            continue;
        };
        if let Some(v) = atoi32(val) {
            *[
                &mut d.boottrace,
                &mut d.schedtrace,
                &mut d.scheddetail,
                &mut d.schedchaos,
                &mut d.asyncpreemptoff,
            ][i] = v;
        }
    }
    d
}

/// Go's `GOTRACEBACK` levels, in increasing order of detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Traceback {
    /// No goroutine traces.
    None = 0,
    /// The failing goroutine only (the default).
    Single = 1,
    /// Every goroutine.
    All = 2,
    /// Every goroutine, runtime frames included.
    System = 3,
    /// As `System`, then the process dies by SIGABRT (a core dump).
    Crash = 4,
}

/// Go's `setTraceback`: the names, or a number (0 none, 1 all, 2 and
/// above system); anything else is Go's level 0, no traces. Unset or
/// empty is `single`.
pub fn parse_gotraceback(s: Option<&[u8]>) -> Traceback {
    let s = s.unwrap_or(b"");
    let names: [&[u8]; 5] = [b"none", b"single", b"all", b"system", b"crash"];
    let levels = [
        Traceback::None,
        Traceback::Single,
        Traceback::All,
        Traceback::System,
        Traceback::Crash,
    ];
    if s.is_empty() {
        return Traceback::Single;
    }
    if let Some(i) = names.iter().position(|n| *n == s) {
        return levels[i];
    }
    match atoi32(s) {
        Some(1) => Traceback::All,
        Some(n) if n >= 2 => Traceback::System,
        _ => Traceback::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi32_is_gos() {
        assert_eq!(atoi32(b"3"), Some(3));
        assert_eq!(atoi32(b"-1"), Some(-1));
        assert_eq!(atoi32(b"2147483647"), Some(i32::MAX));
        assert_eq!(atoi32(b"-2147483648"), Some(i32::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"+2",
            b" 2",
            b"2 ",
            b"3x",
            b"abc",
            b"2147483648",
            b"99999999999",
            b"0x10",
        ] {
            assert_eq!(atoi32(bad), None, "{:?}", core::str::from_utf8(bad));
        }
    }

    #[test]
    fn gomaxprocs_follows_go() {
        let ncpu = 2;
        for bad in [
            None,
            Some(&b""[..]),
            Some(b"0"),
            Some(b"-1"),
            Some(b"abc"),
            Some(b" 2"),
            Some(b"+2"),
            Some(b"3x"),
            Some(b"99999999999"),
        ] {
            assert_eq!(gomaxprocs(bad, ncpu), (2, ProcsSource::Ncpu), "{bad:?}");
        }
        assert_eq!(gomaxprocs(Some(b"3"), ncpu), (3, ProcsSource::Env));
        assert_eq!(gomaxprocs(Some(b"1024"), ncpu), (1024, ProcsSource::Env));
        assert_eq!(
            gomaxprocs(Some(b"1025"), ncpu),
            (MAX_GOMAXPROCS, ProcsSource::Clamped)
        );
        assert_eq!(
            gomaxprocs(Some(b"2147483647"), ncpu),
            (MAX_GOMAXPROCS, ProcsSource::Clamped)
        );
        assert_eq!(
            gomaxprocs(None, 5000),
            (MAX_GOMAXPROCS, ProcsSource::Clamped)
        );
    }

    #[test]
    fn godebug_parsing() {
        let d =
            parse_godebug(b"boottrace=1,schedtrace=100,foo=bar,scheddetail=x,,=,schedtrace=200");
        assert_eq!(
            d,
            DebugVars {
                boottrace: 1,
                schedtrace: 200,
                scheddetail: 0,
                schedchaos: 0,
                asyncpreemptoff: 0,
            }
        );
        assert_eq!(parse_godebug(b"asyncpreemptoff=1").asyncpreemptoff, 1);
        assert_eq!(parse_godebug(b"schedchaos=20").schedchaos, 20);
        assert_eq!(parse_godebug(b"schedchaos=-3").schedchaos, -3);
        assert_eq!(parse_godebug(b"schedchaos=lots").schedchaos, 0);
        assert_eq!(parse_godebug(b""), DebugVars::default());
    }

    #[test]
    fn gotraceback_follows_go() {
        let t = |s: &[u8]| parse_gotraceback(Some(s));
        assert_eq!(parse_gotraceback(None), Traceback::Single);
        assert_eq!(t(b""), Traceback::Single);
        assert_eq!(t(b"single"), Traceback::Single);
        assert_eq!(t(b"none"), Traceback::None);
        assert_eq!(t(b"0"), Traceback::None);
        assert_eq!(t(b"all"), Traceback::All);
        assert_eq!(t(b"1"), Traceback::All);
        assert_eq!(t(b"system"), Traceback::System);
        assert_eq!(t(b"2"), Traceback::System);
        assert_eq!(t(b"crash"), Traceback::Crash);
        assert_eq!(t(b"ALL"), Traceback::None);
        assert_eq!(t(b"-1"), Traceback::None);
    }
}
