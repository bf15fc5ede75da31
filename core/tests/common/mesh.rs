//! A small network grown by introductions: nodes in a chain made by codes, then
//! every node introduces pairs of its contacts who do not know each other yet, and
//! everyone accepts, until everyone knows everyone (core/tests/introductions.rs and
//! the `mesh` benchmark).

use std::time::{Duration, Instant};

use tincan_core::node::Node;
use tincan_core::store::IntroState;

use super::device::connect;

/// Nodes in a chain made by codes, then introductions until everyone knows everyone.
pub struct Mesh {
    pub nodes: Vec<Node>,
    /// `links[i][j]`: the conversation between i and j, once there is one.
    pub links: Vec<Vec<Option<String>>>,
    /// Introductions on their way: id → (introducer, a, b).
    in_flight: std::collections::BTreeMap<String, (usize, usize, usize)>,
    /// Introductions each person accepted.
    pub accepts: Vec<usize>,
}

impl Mesh {
    /// Connects `nodes` in a chain by codes (0–1, 1–2, …).
    pub fn chain(nodes: Vec<Node>) -> Self {
        let n = nodes.len();
        let mut mesh = Mesh {
            links: vec![vec![None; n]; n],
            nodes,
            in_flight: Default::default(),
            accepts: vec![0; n],
        };
        for i in 0..n - 1 {
            let id = connect(&mesh.nodes[i], &mesh.nodes[i + 1]);
            mesh.links[i][i + 1] = Some(id.clone());
            mesh.links[i + 1][i] = Some(id);
        }
        mesh
    }

    /// Introduces and accepts until everyone knows everyone; how long it took, or
    /// `None` past `limit`.
    pub fn grow(&mut self, limit: Duration) -> Option<Duration> {
        let start = Instant::now();
        while !self.complete() {
            if start.elapsed() > limit {
                return None;
            }
            self.introduce_round();
            self.answer_and_collect();
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(start.elapsed())
    }

    fn pair_busy(&self, a: usize, b: usize) -> bool {
        self.in_flight
            .values()
            .any(|&(_, x, y)| (x, y) == (a, b) || (x, y) == (b, a))
    }

    /// How many introductions `m` has on their way to `a`: each node declines more
    /// than 3 from one introducer, so an introducer keeps under that.
    fn load(&self, m: usize, a: usize) -> usize {
        self.in_flight
            .values()
            .filter(|&&(i, x, y)| i == m && (x == a || y == a))
            .count()
    }

    /// One round: every node introduces pairs of its contacts who are not linked yet.
    fn introduce_round(&mut self) {
        let n = self.nodes.len();
        for m in 0..n {
            for a in 0..n {
                for b in a + 1..n {
                    let known = |x: usize| self.links[m][x].is_some();
                    if a == m || b == m || !known(a) || !known(b) {
                        continue;
                    }
                    if self.links[a][b].is_some() || self.pair_busy(a, b) {
                        continue;
                    }
                    if self.load(m, a) >= 2 || self.load(m, b) >= 2 {
                        continue;
                    }
                    let (with_a, with_b) = (
                        self.links[m][a].clone().unwrap(),
                        self.links[m][b].clone().unwrap(),
                    );
                    if let Ok(id) = self.nodes[m].introduce(&with_a, &with_b) {
                        self.in_flight.insert(id, (m, a, b));
                    }
                }
            }
        }
    }

    /// Accepts what is offered and notes what connected (or ended otherwise).
    fn answer_and_collect(&mut self) {
        for i in 0..self.nodes.len() {
            for intro in self.nodes[i].introductions().unwrap() {
                let Some(&(_, a, b)) = self.in_flight.get(&intro.id) else {
                    continue;
                };
                match intro.state {
                    IntroState::Offered => {
                        self.nodes[i].accept_introduction(&intro.id).unwrap();
                        self.accepts[i] += 1;
                    }
                    IntroState::Connected if i == a || i == b => {
                        let other = if i == a { b } else { a };
                        self.links[i][other] = Some(intro.id.clone());
                        if self.links[other][i].is_some() {
                            self.in_flight.remove(&intro.id);
                        }
                    }
                    IntroState::Declined | IntroState::Failed | IntroState::Expired => {
                        self.in_flight.remove(&intro.id);
                    }
                    _ => {}
                }
            }
        }
    }

    pub fn complete(&self) -> bool {
        let n = self.nodes.len();
        (0..n).all(|i| (0..n).all(|j| i == j || self.links[i][j].is_some()))
    }
}
