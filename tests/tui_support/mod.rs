//! Drives a program in a real terminal: a private tmux server with one
//! pane, keys typed with send-keys, the screen read with capture-pane, and
//! every byte the program writes recorded with pipe-pane.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// One tmux server (its own socket) running one pane.
pub struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

impl Tmux {
    /// Start `vigil <args>` in a `w`×`h` pane.
    #[allow(dead_code)]
    pub fn start(args: &str, w: u16, h: u16) -> Tmux {
        Tmux::start_program(env!("CARGO_BIN_EXE_vigil"), args, w, h)
    }

    /// Start `program <args>` in a `w`×`h` pane. The pane's shell records
    /// the terminal settings before and after, and the exit code.
    pub fn start_program(program: &str, args: &str, w: u16, h: u16) -> Tmux {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "these tests need tmux (apt-get install tmux)"
        );
        let dir = tempfile::tempdir().unwrap();
        let socket = format!(
            "vigil-test-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::SeqCst)
        );
        let d = dir.path().display();
        let script = format!(
            "cd {d}; stty -g > before; read _; env VIGIL_CONFIG_DIR={d}/config VIGIL_DATA_DIR={d}/data {bin} {args}; \
             echo VIGIL-EXITED $? > exited; stty -g > after; echo VIGIL-EXITED-SCREEN; sleep 600",
            bin = program,
        );
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        let t = Tmux { socket, dir };
        t.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
            "sh",
            "-c",
            &script,
        ]);
        // Record every byte the pane's program writes, from the start.
        let log = t.path("output.bin");
        t.tmux(&[
            "pipe-pane",
            "-t",
            "t",
            "-o",
            &format!("cat >> {}", log.display()),
        ]);
        std::thread::sleep(Duration::from_millis(200));
        t.tmux(&["send-keys", "-t", "t", "Enter"]);
        t
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Type tmux key names (`Enter`, `Escape`, `C-c`, `q`), one at a time:
    /// an Escape and a letter in one write would read as alt+letter.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "t", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Type text literally.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// Wait until the screen shows `what` and has stopped changing.
    pub fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last = String::new();
        loop {
            let s = self.screen();
            if s.contains(what) && s == last {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited 20 s for {what:?}; the screen is:\n{s}"
            );
            last = s;
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn output(&self) -> Vec<u8> {
        std::fs::read(self.path("output.bin")).unwrap_or_default()
    }

    pub fn pane(&self, format: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", format])
            .trim()
            .to_string()
    }

    /// After vigil exits: its code, and whether the terminal settings and
    /// screen are back.
    pub fn assert_restored(&self) {
        self.assert_restored_with(0);
    }

    /// As `assert_restored`, for an exit with `code`.
    pub fn assert_restored_with(&self, code: i32) {
        self.wait_for("VIGIL-EXITED-SCREEN");
        let exited = std::fs::read_to_string(self.path("exited")).unwrap();
        assert_eq!(exited.trim(), format!("VIGIL-EXITED {code}"));
        assert_eq!(
            std::fs::read_to_string(self.path("before")).unwrap(),
            std::fs::read_to_string(self.path("after")).unwrap(),
            "stty settings are restored"
        );
        assert_eq!(
            self.pane("#{alternate_on}"),
            "0",
            "left the alternate screen"
        );
        assert_eq!(
            self.pane("#{cursor_flag}"),
            "1",
            "the cursor is visible again"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
