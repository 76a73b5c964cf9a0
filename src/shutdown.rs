//! The shutdown signal, as in mini-redis: one sender (the signal handler), any number of
//! receivers that can ask "should I stop?" or wait for it. It also carries a "wake up" nudge
//! (SIGHUP), so a reload does not wait for the end of an IDLE.

use tokio::sync::watch;

/// Listens for the shutdown signal.
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
    wake: watch::Receiver<u64>,
}

/// Sends the shutdown signal.
#[derive(Debug)]
pub struct Trigger {
    tx: watch::Sender<bool>,
    wake: watch::Sender<u64>,
}

/// A connected trigger and listener.
pub fn channel() -> (Trigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    let (wake_tx, wake_rx) = watch::channel(0);
    (
        Trigger { tx, wake: wake_tx },
        Shutdown { rx, wake: wake_rx },
    )
}

impl Trigger {
    /// Asks everyone to stop after the message in flight.
    pub fn fire(&self) {
        let _ = self.tx.send(true);
    }

    /// Ends any wait for mail early, so the loop runs its between-passes work (reloads).
    pub fn wake(&self) {
        self.wake.send_modify(|n| *n += 1);
    }
}

impl Shutdown {
    /// True once shutdown was asked for.
    pub fn is_shutdown(&self) -> bool {
        *self.rx.borrow()
    }

    /// Waits until shutdown is asked for (returns at once if it already was).
    pub async fn recv(&mut self) {
        let _ = self.rx.wait_for(|stop| *stop).await;
    }

    /// Waits for shutdown (true) or a wake-up nudge sent since this listener last saw one (false).
    pub async fn interrupted(&mut self) -> bool {
        let woke = tokio::select! {
            _ = self.rx.wait_for(|stop| *stop) => return true,
            r = self.wake.changed() => r.is_ok(),
        };
        if !woke {
            // The trigger is gone: only shutdown can still come.
            let _ = self.rx.wait_for(|stop| *stop).await;
        }
        !woke
    }
}
