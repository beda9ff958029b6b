//! Running independent work of the emit and write stages on several threads,
//! with results in input order so output never depends on scheduling.

/// The most threads to use: the machines flyx runs on in CI have two cores,
/// and beyond a few the disk, not the CPU, is the limit.
const MAX_THREADS: usize = 4;

/// Below this many items, one thread does it all: starting threads costs more.
const MIN_ITEMS: usize = 64;

/// `f` applied to every item, results in the items' order. A panic in `f` is
/// passed on as if `f` had run on this thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS));
    if threads < 2 || items.len() < MIN_ITEMS {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let (first, rest) = items.split_at(chunk.min(items.len()));
    std::thread::scope(|scope| {
        let handles: Vec<_> = rest
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        // This thread takes a share too: one thread fewer to start, and its
        // allocations reuse the memory earlier stages freed.
        let mut results: Vec<R> = first.iter().map(&f).collect();
        for handle in handles {
            let part = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            results.extend(part);
        }
        results
    })
}

#[cfg(test)]
mod tests {
    use super::map;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = map(&items, |n| n * 2);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn few_items_are_mapped_too() {
        assert_eq!(map(&[1, 2, 3], |n| n + 1), [2, 3, 4]);
        assert!(map(&[] as &[u8], |n| *n).is_empty());
    }
}
