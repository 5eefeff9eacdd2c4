
/// A value written in the value encoding; resources move into the table.
trait Enc: Sized {
    fn enc(self, out: &mut Vec<u8>);

    fn enc_list(items: Vec<Self>, out: &mut Vec<u8>) {
        write_len(items.len(), out);
        for item in items {
            item.enc(out);
        }
    }
}

/// A value read from the value encoding; resources come from the table.
trait Dec: Sized {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<Self, DecodeError>;

    fn dec_list(r: &mut Cursor<'_>) -> Result<Vec<Self>, DecodeError> {
        let n = r.length()?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(Self::dec(r)?);
        }
        Ok(items)
    }
}

impl Enc for bool {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        out.push(u8::from(self));
    }
}

impl Dec for bool {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<bool, DecodeError> {
        r.tag()
    }
}

impl Enc for u8 {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        out.push(self);
    }

    fn enc_list(items: Vec<u8>, out: &mut Vec<u8>) {
        write_len(items.len(), out);
        out.extend_from_slice(&items);
    }
}

impl Dec for u8 {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<u8, DecodeError> {
        r.byte()
    }

    fn dec_list(r: &mut Cursor<'_>) -> Result<Vec<u8>, DecodeError> {
        let n = r.length()?;
        Ok(r.bytes(n)?.to_vec())
    }
}

impl Enc for i8 {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        out.push(self as u8);
    }
}

impl Dec for i8 {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<i8, DecodeError> {
        Ok(r.byte()? as i8)
    }
}

macro_rules! leb {
    ($($t:ty, $bits:literal, $write:ident, $read:ident, $wide:ty;)*) => {$(
        impl Enc for $t {
            #[inline]
    fn enc(self, out: &mut Vec<u8>) {
                $write(self as $wide, out);
            }
        }

        impl Dec for $t {
            #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<$t, DecodeError> {
                Ok(r.$read($bits)? as $t)
            }
        }
    )*};
}

leb! {
    u16, 16, write_uleb, uleb, u64;
    u32, 32, write_uleb, uleb, u64;
    u64, 64, write_uleb, uleb, u64;
    i16, 16, write_sleb, sleb, i64;
    i32, 32, write_sleb, sleb, i64;
    i64, 64, write_sleb, sleb, i64;
}

impl Enc for f32 {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        let v = if self.is_nan() { f32::NAN } else { self };
        out.extend_from_slice(&v.to_le_bytes());
    }
}

impl Dec for f32 {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<f32, DecodeError> {
        r.f32()
    }
}

impl Enc for f64 {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        let v = if self.is_nan() { f64::NAN } else { self };
        out.extend_from_slice(&v.to_le_bytes());
    }
}

impl Dec for f64 {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<f64, DecodeError> {
        r.f64()
    }
}

impl Enc for char {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        let mut buf = [0; 4];
        out.extend_from_slice(self.encode_utf8(&mut buf).as_bytes());
    }
}

impl Dec for char {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<char, DecodeError> {
        r.char()
    }
}

impl Enc for String {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        write_str(&self, out);
    }
}

impl Dec for String {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<String, DecodeError> {
        r.string().map(str::to_owned)
    }
}

impl<T: Enc> Enc for Vec<T> {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        T::enc_list(self, out);
    }
}

impl<T: Dec> Dec for Vec<T> {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<Vec<T>, DecodeError> {
        T::dec_list(r)
    }
}

impl<T: Enc> Enc for Option<T> {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.enc(out);
            }
        }
    }
}

impl<T: Dec> Dec for Option<T> {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<Option<T>, DecodeError> {
        Ok(match r.tag()? {
            false => None,
            true => Some(T::dec(r)?),
        })
    }
}

impl<T: Enc, E: Enc> Enc for Result<T, E> {
    #[inline]
    fn enc(self, out: &mut Vec<u8>) {
        match self {
            Ok(v) => {
                out.push(0);
                v.enc(out);
            }
            Err(e) => {
                out.push(1);
                e.enc(out);
            }
        }
    }
}

impl<T: Dec, E: Dec> Dec for Result<T, E> {
    #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<Result<T, E>, DecodeError> {
        Ok(match r.tag()? {
            false => Ok(T::dec(r)?),
            true => Err(E::dec(r)?),
        })
    }
}

impl Enc for () {
    fn enc(self, _out: &mut Vec<u8>) {}
}

impl Dec for () {
    fn dec(_r: &mut Cursor<'_>) -> Result<(), DecodeError> {
        Ok(())
    }
}

macro_rules! tuples {
    ($(($($name:ident),+))*) => {$(
        impl<$($name: Enc),+> Enc for ($($name,)+) {
            #[allow(non_snake_case)]
            #[inline]
    fn enc(self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.enc(out);)+
            }
        }

        impl<$($name: Dec),+> Dec for ($($name,)+) {
            #[inline]
    fn dec(r: &mut Cursor<'_>) -> Result<Self, DecodeError> {
                Ok(($($name::dec(r)?,)+))
            }
        }
    )*};
}

tuples! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
    (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H)
    (A, B, C, D, E, F, G, H, I)
    (A, B, C, D, E, F, G, H, I, J)
    (A, B, C, D, E, F, G, H, I, J, K)
    (A, B, C, D, E, F, G, H, I, J, K, L)
}

/// The resources `call` handed out: handle `n` is slot `n - 1`.
#[derive(Default)]
struct Handles {
    slots: Vec<Option<Rc<dyn Any>>>,
    free: Vec<u32>,
    /// Resources borrowed by the call being made, kept until it returns.
    borrowed: Vec<Rc<dyn Any>>,
}

thread_local! {
    static HANDLES: RefCell<Handles> = RefCell::new(Handles::default());
}

/// A handle for `value`.
fn insert<T: 'static>(value: T) -> u32 {
    let value: Rc<dyn Any> = Rc::new(value);
    HANDLES.with(|h| {
        let mut h = h.borrow_mut();
        match h.free.pop() {
            Some(slot) => {
                h.slots[slot as usize] = Some(value);
                slot + 1
            }
            None => {
                h.slots.push(Some(value));
                h.slots.len() as u32
            }
        }
    })
}

/// Reads a handle: its slot and what is in it.
fn lookup(r: &mut Cursor<'_>) -> Result<(usize, Rc<dyn Any>), DecodeError> {
    let start = r.offset();
    let handle = r.uleb(32)? as u32;
    let found = HANDLES.with(|h| {
        let h = h.borrow();
        let slot = (handle as usize).checked_sub(1)?;
        Some((slot, h.slots.get(slot)?.clone()?))
    });
    found.ok_or_else(|| DecodeError {
        offset: start,
        message: format!("no resource handle {handle} in the component"),
    })
}

fn wrong_type<T>(offset: usize) -> DecodeError {
    DecodeError {
        offset,
        message: format!("the handle is not a `{}`", std::any::type_name::<T>()),
    }
}

/// Takes the resource of an `own` handle out of the table.
fn take<T: 'static>(r: &mut Cursor<'_>) -> Result<T, DecodeError> {
    let start = r.offset();
    let (slot, value) = lookup(r)?;
    let value = value.downcast::<T>().map_err(|_| wrong_type::<T>(start))?;
    // The table's reference and this one: no borrow of it in this call.
    if Rc::strong_count(&value) != 2 {
        return Err(DecodeError {
            offset: start,
            message: "the handle is also borrowed by this call".to_owned(),
        });
    }
    HANDLES.with(|h| {
        let mut h = h.borrow_mut();
        h.slots[slot] = None;
        h.free.push(slot as u32);
    });
    Ok(Rc::try_unwrap(value).unwrap_or_else(|_| unreachable!("the only reference")))
}

/// Borrows the resource of a handle until the call returns.
fn borrow<T: 'static>(r: &mut Cursor<'_>) -> Result<&'static T, DecodeError> {
    let start = r.offset();
    let (_, value) = lookup(r)?;
    let ptr: *const T = value.downcast_ref::<T>().ok_or_else(|| wrong_type::<T>(start))?;
    HANDLES.with(|h| h.borrow_mut().borrowed.push(value));
    // SAFETY: `borrowed` keeps the resource alive until `dispatch` returns,
    // and nothing decoded outlives the call.
    Ok(unsafe { &*ptr })
}

/// `drop` of the interface.
fn drop_handle(handle: u32) -> bool {
    let value = HANDLES.with(|h| {
        let mut h = h.borrow_mut();
        let slot = (handle as usize).checked_sub(1)?;
        let value = h.slots.get_mut(slot)?.take()?;
        h.free.push(slot as u32);
        Some(value)
    });
    // The resource's destructor runs outside the table's borrow.
    value.is_some()
}

/// One exported function: decodes its arguments, calls it, encodes the
/// result.
type Call = fn(&mut Cursor<'_>, &mut Vec<u8>) -> Result<(), String>;

/// `call` of the interface.
fn dispatch(calls: &[Call], function: u32, args: &[u8]) -> Result<Vec<u8>, String> {
    // Most results fit: growing from nothing reallocates several times.
    let mut out = Vec::with_capacity(256);
    let mut r = Cursor::new(args);
    let outcome = match calls.get(function as usize) {
        Some(call) => call(&mut r, &mut out),
        None => Err(format!("the component has no function number {function}")),
    };
    let borrowed = HANDLES.with(|h| std::mem::take(&mut h.borrow_mut().borrowed));
    drop(borrowed);
    outcome.map(|()| out)
}

/// Argument `name`, or what is wrong with it.
fn arg<T: Dec>(r: &mut Cursor<'_>, name: &str) -> Result<T, String> {
    T::dec(r).map_err(|e| format!("argument `{name}` is not valid: {e}"))
}

/// Checks that the arguments took every byte.
fn finish(r: &Cursor<'_>) -> Result<(), String> {
    r.finish().map_err(|e| e.to_string())
}
