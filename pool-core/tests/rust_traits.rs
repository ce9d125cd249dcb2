//! The handles and errors fit ordinary Rust code: every pool handle is
//! `Clone + Send + Sync`, and the errors convert with `?` into
//! `anyhow::Error` and `Box<dyn Error + Send + Sync>`, whatever the task was.

use pool_core::{JoinError, MultiPool, Pool, PoolError, WaitGroup};
use std::error::Error;

type BoxError = Box<dyn Error + Send + Sync + 'static>;

fn assert_send_sync_static<T: Send + Sync + 'static>() {}

#[test]
fn join_error_is_send_sync_and_static() {
    assert_send_sync_static::<JoinError>();
    assert_send_sync_static::<PoolError<()>>();
}

fn join_with_anyhow(pool: &Pool) -> anyhow::Result<u32> {
    let handle = pool.spawn(|| -> u32 { std::panic::resume_unwind(Box::new("boom")) })?;
    Ok(handle.join()?)
}

fn join_with_box(pool: &Pool) -> Result<u32, BoxError> {
    let mut group = pool.group();
    group.submit(|| 1u32)?;
    let total = group.wait().into_iter().sum::<Result<u32, JoinError>>()?;
    Ok(total)
}

#[test]
fn a_join_error_converts_with_the_question_mark_and_keeps_its_message() {
    let pool = Pool::new(1).unwrap();
    let err = join_with_anyhow(&pool).unwrap_err();
    assert!(err.to_string().contains("boom"), "{err}");
    let join = err.downcast::<JoinError>().unwrap();
    assert_eq!(
        join.into_panic().unwrap().downcast_ref::<&str>(),
        Some(&"boom"),
        "the payload is still there"
    );
    assert_eq!(join_with_box(&pool).unwrap(), 1);
}

/// A closure holding a `Receiver` is not `Sync`, so `PoolError<F>` is not.
fn submit_not_sync(pool: &Pool) -> anyhow::Result<()> {
    let (_tx, rx) = std::sync::mpsc::channel::<u8>();
    pool.submit(move || {
        let _ = rx.recv();
    })
    .map_err(PoolError::without_task)?;
    Ok(())
}

fn submit_not_sync_boxed(pool: &Pool) -> Result<(), BoxError> {
    let (_tx, rx) = std::sync::mpsc::channel::<u8>();
    pool.submit(move || {
        let _ = rx.recv();
    })
    .map_err(PoolError::without_task)?;
    Ok(())
}

#[test]
fn without_task_keeps_the_refusal_and_converts_with_the_question_mark() {
    let pool = Pool::new(1).unwrap();
    pool.release();
    let err = submit_not_sync(&pool).unwrap_err();
    let refusal = err.downcast_ref::<PoolError<()>>().unwrap();
    assert!(refusal.is_closed());
    let boxed = submit_not_sync_boxed(&pool).unwrap_err();
    assert_eq!(boxed.to_string(), PoolError::Closed(()).to_string());
}

#[test]
fn every_pool_handle_is_clone_send_and_sync() {
    fn assert_handle<T: Clone + Send + Sync + 'static>() {}
    assert_handle::<Pool>();
    assert_handle::<pool_core::PoolWithFunc<String>>();
    assert_handle::<MultiPool>();
    assert_handle::<WaitGroup>();
}
