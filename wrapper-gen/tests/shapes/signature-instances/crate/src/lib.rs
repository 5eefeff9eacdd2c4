//! A generic type the crate instantiates in its own signatures
//! (chrono's `DateTime<Tz>`: `Utc::now() -> DateTime<Utc>`): each instance
//! is a type of its own, with the methods that apply to it.

/// A time zone.
pub trait Zone {
    /// Hours east of UTC.
    fn offset(&self) -> i32;
    /// The zone's name.
    fn name(&self) -> String;
}

/// UTC.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Utc;

impl Zone for Utc {
    fn offset(&self) -> i32 {
        0
    }
    fn name(&self) -> String {
        "UTC".into()
    }
}

/// A fixed offset east of UTC, in hours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fixed(pub i32);

impl Zone for Fixed {
    fn offset(&self) -> i32 {
        self.0
    }
    fn name(&self) -> String {
        format!("UTC{:+}", self.0)
    }
}

/// An hour of the day in a zone.
#[derive(Clone, Debug)]
pub struct Time<Z: Zone> {
    hour: i32,
    zone: Z,
}

impl<Z: Zone> Time<Z> {
    /// The hour in its zone.
    pub fn hour(&self) -> i32 {
        self.hour
    }

    /// `hour:00 NAME`.
    pub fn describe(&self) -> String {
        format!("{:02}:00 {}", self.hour, self.zone.name())
    }

    /// `hours` later, in the same zone (`Time<Z>` spelled out: on an
    /// instance it is that instance).
    pub fn later(&self, hours: i32) -> Time<Z>
    where
        Z: Clone,
    {
        Time {
            hour: (self.hour + hours).rem_euclid(24),
            zone: self.zone.clone(),
        }
    }

    /// The same instant in UTC.
    pub fn to_utc(&self) -> Time<Utc> {
        Time {
            hour: (self.hour - self.zone.offset()).rem_euclid(24),
            zone: Utc,
        }
    }
}

/// Midnight, for a zone with a default (UTC, not a fixed offset).
impl<Z: Zone + Default> Default for Time<Z> {
    fn default() -> Self {
        Time {
            hour: 0,
            zone: Z::default(),
        }
    }
}

impl Time<Utc> {
    /// Only for UTC times.
    pub fn is_midnight(&self) -> bool {
        self.hour == 0
    }
}

impl Utc {
    /// An hour in UTC.
    pub fn at(hour: i32) -> Time<Utc> {
        Time { hour: hour.rem_euclid(24), zone: Utc }
    }
}

/// An hour at a fixed offset.
pub fn at_offset(hour: i32, offset: i32) -> Time<Fixed> {
    Time { hour: hour.rem_euclid(24), zone: Fixed(offset) }
}

/// A value with a label.
#[derive(Clone, Debug)]
pub struct Labelled<T> {
    label: String,
    value: T,
}

impl<T: Clone> Labelled<T> {
    /// The label.
    pub fn label(&self) -> String {
        self.label.clone()
    }

    /// The value.
    pub fn value(&self) -> T {
        self.value.clone()
    }
}

/// An alarm (`Labelled<i32>` is named only in a variant's field).
#[derive(Clone, Debug)]
pub enum Alarm {
    /// Rings once, at an hour.
    Once(Labelled<i32>),
    /// Never rings.
    Never,
}

/// An alarm at `hour`, or none for a negative hour.
pub fn set_alarm(hour: i32) -> Alarm {
    if hour < 0 {
        Alarm::Never
    } else {
        Alarm::Once(Labelled {
            label: format!("at {hour}"),
            value: hour,
        })
    }
}
