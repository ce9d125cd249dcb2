//! A builder refuses what it cannot build, and says what is allowed: zero
//! or too many threads, a total past `usize`, a thread name the OS cannot
//! take, no pools at all. Nothing is started for a refused build.

mod common;

use pool_core::{BuildError, LoadBalancing, MultiPool, MultiPoolWithFunc, Pool, thread_ceiling};
use std::time::Duration;

#[test]
fn build_errors_say_what_is_allowed() {
    let zero = Pool::new(0).unwrap_err();
    assert!(zero.to_string().contains("at least 1"));
    let too_many = thread_ceiling().max_threads + 1;
    let err = Pool::new(too_many).unwrap_err();
    assert!(matches!(err, BuildError::CapacityAboveThreadCeiling { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains(&too_many.to_string()) && msg.contains("at most"),
        "{msg}"
    );
    let err = Pool::builder().expiry(Duration::ZERO).build().unwrap_err();
    assert!(err.to_string().contains("disable_purge"));
    let err = Pool::builder().stack_size(1024).build().unwrap_err();
    assert!(err.to_string().contains("at least 65536 bytes"), "{err}");
    assert!(Pool::new(usize::MAX).is_err());
}

#[test]
fn a_multi_pool_above_the_thread_ceiling_is_refused_at_build() {
    let ceiling = thread_ceiling().max_threads;
    // Each pool alone fits; all of them together do not.
    let each = ceiling / 4 + 1;
    let err = MultiPool::new(4, each, LoadBalancing::RoundRobin).unwrap_err();
    match &err {
        BuildError::CapacityAboveThreadCeiling { requested, .. } => {
            assert_eq!(*requested, 4 * each)
        }
        other => panic!("expected CapacityAboveThreadCeiling, got {other:?}"),
    }
    assert!(err.to_string().contains("4 pools of"), "{err}");
    // Overflowing usize is refused too, not wrapped.
    assert!(MultiPool::new(4, usize::MAX / 2, LoadBalancing::RoundRobin).is_err());
    // And tune cannot take it there afterwards.
    let pools = MultiPool::new(4, 1, LoadBalancing::RoundRobin).unwrap();
    assert!(pools.tune(each).is_err());
    assert_eq!(pools.cap(), 4);
}

#[test]
fn a_multi_pool_total_past_usize_is_reported_as_an_overflow_not_a_capacity() {
    let pools = MultiPool::new(2, 1, LoadBalancing::RoundRobin).unwrap();
    let err = pools.tune(usize::MAX).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::TotalCapacityOverflow {
                count: 2,
                capacity_each: usize::MAX
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("more threads than a usize can count"),
        "{message}"
    );
    assert!(
        message.starts_with("2 pools of 18446744073709551615 threads each"),
        "{message}"
    );
    assert_eq!(pools.cap(), 2, "a refused tune changes nothing");
    let err = MultiPoolWithFunc::new(3, usize::MAX / 2, LoadBalancing::LeastTasks, |_: u8| ())
        .unwrap_err();
    assert!(
        matches!(err, BuildError::TotalCapacityOverflow { count: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn an_empty_thread_name_is_a_build_error() {
    let err = Pool::builder().thread_name("").build().unwrap_err();
    assert!(
        matches!(err, BuildError::InvalidThreadName { ref name } if name.is_empty()),
        "{err:?}"
    );
    assert!(err.to_string().contains("must not be empty"), "{err}");
}

#[test]
fn zero_pools_is_its_own_error() {
    let err = MultiPool::new(0, 10, LoadBalancing::RoundRobin).unwrap_err();
    assert!(matches!(err, BuildError::ZeroPools));
    assert!(err.to_string().contains("at least 1 pool"), "{err}");
    let err = MultiPoolWithFunc::new(0, 10, LoadBalancing::LeastTasks, |_: u8| ()).unwrap_err();
    assert!(matches!(err, BuildError::ZeroPools));
}

#[test]
fn a_thread_name_with_a_nul_is_a_build_error() {
    let err = Pool::builder()
        .thread_name("bad\0name")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, BuildError::InvalidThreadName { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("NUL"), "{err}");
}
