//! The DAG itself. Edges point from a node to the nodes it depends on; topological order lists
//! dependencies first. Kahn's algorithm keeps every operation linear in nodes plus edges.

/// A graph over nodes `0..len` where `deps[n]` are the nodes `n` depends on.
#[derive(Clone, Debug, Default)]
pub struct Dag {
    deps: Vec<Vec<usize>>,
}

/// A dependency loop: the nodes in order, the first repeated at the end implicitly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle(pub Vec<usize>);

impl Dag {
    pub fn new(len: usize) -> Self {
        Dag {
            deps: vec![Vec::new(); len],
        }
    }

    pub fn len(&self) -> usize {
        self.deps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.deps.is_empty()
    }

    pub fn add_node(&mut self) -> usize {
        self.deps.push(Vec::new());
        self.deps.len() - 1
    }

    /// `node` depends on `dependency`. Duplicate edges are kept out.
    pub fn add_edge(&mut self, node: usize, dependency: usize) {
        let deps = &mut self.deps[node];
        if !deps.contains(&dependency) {
            deps.push(dependency);
        }
    }

    pub fn dependencies(&self, node: usize) -> &[usize] {
        &self.deps[node]
    }

    /// Nodes in an order where every node comes after its dependencies; ties keep index order.
    pub fn topological_order(&self) -> Result<Vec<usize>, Cycle> {
        let waves = self.waves()?;
        Ok(waves.into_iter().flatten().collect())
    }

    /// Nodes grouped in waves: wave 0 has no dependencies, wave k depends only on earlier waves.
    pub fn waves(&self) -> Result<Vec<Vec<usize>>, Cycle> {
        let n = self.deps.len();
        let mut remaining: Vec<usize> = self.deps.iter().map(Vec::len).collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (node, deps) in self.deps.iter().enumerate() {
            for &d in deps {
                dependents[d].push(node);
            }
        }
        let mut current: Vec<usize> = (0..n).filter(|&i| remaining[i] == 0).collect();
        let mut waves = Vec::new();
        let mut seen = 0;
        while !current.is_empty() {
            seen += current.len();
            let mut next = Vec::new();
            for &node in &current {
                for &dependent in &dependents[node] {
                    remaining[dependent] -= 1;
                    if remaining[dependent] == 0 {
                        next.push(dependent);
                    }
                }
            }
            next.sort_unstable();
            waves.push(std::mem::replace(&mut current, next));
        }
        if seen < n {
            return Err(self.find_cycle(&remaining));
        }
        Ok(waves)
    }

    /// Walk dependencies from a node still blocked until a node repeats: that stretch is a loop.
    fn find_cycle(&self, remaining: &[usize]) -> Cycle {
        let start = (0..self.deps.len())
            .find(|&i| remaining[i] > 0)
            .unwrap_or(0);
        let mut position = vec![usize::MAX; self.deps.len()];
        let mut path = Vec::new();
        let mut node = start;
        loop {
            if position[node] != usize::MAX {
                return Cycle(path[position[node]..].to_vec());
            }
            position[node] = path.len();
            path.push(node);
            // Follow a dependency that is itself blocked (it must exist for a blocked node).
            match self.deps[node].iter().find(|&&d| remaining[d] > 0) {
                Some(&d) => node = d,
                None => return Cycle(path),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn waves_group_independent_nodes() {
        let mut dag = Dag::new(4);
        dag.add_edge(1, 0);
        dag.add_edge(2, 0);
        dag.add_edge(3, 1);
        dag.add_edge(3, 2);
        assert_eq!(dag.waves().unwrap(), vec![vec![0], vec![1, 2], vec![3]]);
    }

    #[test]
    fn cycle_is_reported_with_its_members() {
        let mut dag = Dag::new(4);
        dag.add_edge(0, 3);
        dag.add_edge(1, 2);
        dag.add_edge(2, 3);
        dag.add_edge(3, 1);
        let cycle = dag.topological_order().unwrap_err();
        let mut members = cycle.0.clone();
        members.sort();
        assert_eq!(members, vec![1, 2, 3]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn order_puts_dependencies_first(n in 1usize..40, edges in proptest::collection::vec((0usize..40, 0usize..40), 0..120)) {
            let mut dag = Dag::new(n);
            for (a, b) in edges {
                let (a, b) = (a % n, b % n);
                if a > b { dag.add_edge(a, b); }
            }
            let order = dag.topological_order().unwrap();
            let mut pos = vec![0; n];
            for (i, &node) in order.iter().enumerate() { pos[node] = i; }
            for node in 0..n {
                for &d in dag.dependencies(node) { prop_assert!(pos[d] < pos[node]); }
            }
        }
    }
}
