//! Running a program and comparing what it did with what was expected.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a stream must contain.
#[derive(Clone, Debug)]
pub enum Want {
    /// Exactly this text.
    Exact(String),
    /// Each of these, in this order (other text may come between).
    InOrder(Vec<String>),
    /// Anything.
    Any,
}

/// A further check of a stream: Err says what is wrong.
pub type StreamCheck = fn(&str) -> Result<(), String>;

/// One run of one program and the outcome it must have.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    /// Executable name, looked up among the built test programs and examples.
    pub prog: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub env_clear: bool,
    /// qemu's `-cpu` for this run.
    pub cpu: Option<String>,
    /// A command to run the program under (e.g. `taskset -c 0`).
    pub wrapper: Vec<String>,
    pub code: i32,
    pub stdout: Want,
    pub stderr: Want,
    /// A further check of stderr.
    pub stderr_check: Option<StreamCheck>,
    /// A further check of stdout.
    pub stdout_check: Option<StreamCheck>,
    pub timeout: Duration,
}

impl Case {
    pub fn new(name: &str, prog: &str) -> Case {
        Case {
            name: name.to_string(),
            prog: prog.to_string(),
            args: Vec::new(),
            env: Vec::new(),
            env_clear: false,
            cpu: None,
            wrapper: Vec::new(),
            code: 0,
            stdout: Want::Any,
            stderr: Want::Exact(String::new()),
            stderr_check: None,
            stdout_check: None,
            timeout: Duration::from_secs(60),
        }
    }
    pub fn args<S: ToString>(mut self, a: impl IntoIterator<Item = S>) -> Case {
        self.args.extend(a.into_iter().map(|s| s.to_string()));
        self
    }
    pub fn env(mut self, k: &str, v: &str) -> Case {
        self.env.push((k.to_string(), v.to_string()));
        self
    }
    pub fn env_clear(mut self) -> Case {
        self.env_clear = true;
        self
    }
    pub fn cpu(mut self, cpu: &str) -> Case {
        self.cpu = Some(cpu.to_string());
        self
    }
    pub fn wrapper<S: ToString>(mut self, w: impl IntoIterator<Item = S>) -> Case {
        self.wrapper = w.into_iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn timeout(mut self, secs: u64) -> Case {
        self.timeout = Duration::from_secs(secs);
        self
    }
    pub fn code(mut self, c: i32) -> Case {
        self.code = c;
        self
    }
    pub fn stdout(mut self, s: &str) -> Case {
        self.stdout = Want::Exact(s.to_string());
        self
    }
    pub fn stdout_has<S: AsRef<str>>(mut self, parts: &[S]) -> Case {
        self.stdout = Want::InOrder(parts.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }
    pub fn stderr(mut self, s: &str) -> Case {
        self.stderr = Want::Exact(s.to_string());
        self
    }
    pub fn stderr_check(mut self, f: StreamCheck) -> Case {
        self.stderr_check = Some(f);
        self
    }
    pub fn stdout_check(mut self, f: StreamCheck) -> Case {
        self.stdout_check = Some(f);
        self
    }
    /// A runtime report: `head` (its message and the first goroutine's
    /// header), then at least one frame (`pc=0x…`/`ret=0x…`) and the
    /// closing line on how to name them (see `runtime::traceback`).
    pub fn stderr_report(self, head: &str) -> Case {
        self.stderr_has(&[head, "=0x", "\n[frames as addresses: "])
    }
    pub fn stderr_has<S: AsRef<str>>(mut self, parts: &[S]) -> Case {
        self.stderr = Want::InOrder(parts.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }
}

fn matches(want: &Want, got: &str) -> Result<(), String> {
    match want {
        Want::Any => Ok(()),
        Want::Exact(w) if w == got => Ok(()),
        Want::Exact(w) => Err(format!(
            "want exactly {:?}\n           got {:?}",
            clip(w),
            clip(got)
        )),
        Want::InOrder(parts) => {
            let mut rest = got;
            for p in parts {
                match rest.find(p.as_str()) {
                    Some(i) => rest = &rest[i + p.len()..],
                    None => return Err(format!("missing {:?} (in order) in {:?}", p, clip(got))),
                }
            }
            Ok(())
        }
    }
}

fn clip(s: &str) -> String {
    if s.len() <= 1500 {
        s.to_string()
    } else {
        let mut end = 1500;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… ({} bytes)", &s[..end], s.len())
    }
}

/// Output of one run.
pub struct Outcome {
    pub status: std::process::ExitStatus,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

/// Runs `cmd` with a deadline, capturing both streams.
pub fn run(mut cmd: Command, timeout: Duration) -> Result<Outcome, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let mut so = child.stdout.take().expect("piped");
    let mut se = child.stderr.take().expect("piped");
    let t1 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t2 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            timed_out = true;
            break child.wait().map_err(|e| e.to_string())?;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&t1.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t2.join().unwrap_or_default()).into_owned();
    use std::os::unix::process::ExitStatusExt;
    let code = status.code().or_else(|| status.signal().map(|s| 128 + s));
    Ok(Outcome {
        status,
        code,
        stdout,
        stderr,
        timed_out,
    })
}

/// Compares an outcome with a case; Err says what differs.
pub fn verify(case: &Case, out: &Outcome) -> Result<(), String> {
    let mut errs = Vec::new();
    if out.timed_out {
        errs.push(format!("timed out after {:?}", case.timeout));
    }
    if out.code != Some(case.code) {
        errs.push(format!("exit code {:?}, want {}", out.code, case.code));
    }
    if let Err(e) = matches(&case.stdout, &out.stdout) {
        errs.push(format!("stdout: {e}"));
    }
    if let Err(e) = matches(&case.stderr, &out.stderr) {
        errs.push(format!("stderr: {e}"));
    }
    if let Some(Err(e)) = case.stderr_check.map(|f| f(&out.stderr)) {
        errs.push(format!("stderr: {e}"));
    }
    if let Some(Err(e)) = case.stdout_check.map(|f| f(&out.stdout)) {
        errs.push(format!("stdout: {e}"));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("\n    "))
    }
}
