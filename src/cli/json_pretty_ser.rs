//! A serializer that writes what `serde_json`'s pretty printer writes, byte for byte, for the shapes `plan --format
//! json` prints (structs, options, sequences, strings, integers, string-keyed maps), several times faster: strings
//! are copied sixteen bytes at a time up to the next byte that needs an escape, where `serde_json` looks up every byte.
//!
//! Anything else — floats, bytes, maps with keys that are not strings, `RawValue` — is refused ([`Unsupported`]),
//! and the caller writes that item through `serde_json` instead.

use crate::model::json_scan::chunks::next_string_stop;
use serde::ser::{self, Serialize};
use std::fmt;

/// A value this serializer does not write (or an error of the value's own): written through `serde_json` instead.
#[derive(Debug)]
pub struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not written by the fast serializer")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Unsupported
    }
}

type Result<T = ()> = std::result::Result<T, Unsupported>;

/// Indentation per level, as `serde_json`'s pretty printer.
const INDENT: &[u8] = b"  ";

/// `serde_json`'s name for a `RawValue`, which it writes as it is.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// Writes `value` into `out` as `serde_json`'s pretty printer does at nesting `depth` (1 for an item of an array).
pub fn write_pretty<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T, depth: usize) -> Result {
    value.serialize(&mut Pretty { out, depth, has_value: false })
}

/// The output and the state of `serde_json`'s `PrettyFormatter`.
pub struct Pretty<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    has_value: bool,
}

impl<'o> Pretty<'o> {
    fn open(&mut self, bracket: u8) {
        self.depth += 1;
        self.has_value = false;
        self.out.push(bracket);
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if self.has_value {
            self.out.push(b'\n');
            self.indent();
        }
        self.out.push(bracket);
    }

    fn indent(&mut self) {
        // Most lines are a few levels in: their indentation is one copy.
        const SPACES: &[u8; 64] = &[b' '; 64];
        match SPACES.get(..self.depth * INDENT.len()) {
            Some(spaces) => self.out.extend_from_slice(spaces),
            None => (0..self.depth).for_each(|_| self.out.extend_from_slice(INDENT)),
        }
    }

    /// Before an item of an array or a key of an object.
    fn next_line(&mut self, first: bool) {
        self.out.extend_from_slice(if first { b"\n" } else { b",\n" });
        self.indent();
    }

    fn text(&mut self, text: &str) {
        write_escaped(self.out, text);
    }

    /// A container: empty at once when `len` says so (`[]`, `{}`), else opened.
    fn container(&mut self, len: Option<usize>, open: u8, close: u8) -> Compound<'_, 'o> {
        self.open(open);
        if len == Some(0) {
            self.close(close);
            return Compound { ser: self, state: State::Empty, close };
        }
        Compound { ser: self, state: State::First, close }
    }

    /// `{"variant": ` of an enum variant with content.
    fn variant_key(&mut self, variant: &str) {
        self.open(b'{');
        self.next_line(true);
        self.text(variant);
        self.out.extend_from_slice(b": ");
    }

    /// The `}` after a variant's content.
    fn variant_end(&mut self) {
        self.has_value = true;
        self.close(b'}');
    }
}

/// `text` as a JSON string with `serde_json`'s escapes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00XX` for the
/// other control characters; everything else (DEL, non-ASCII, U+2028) as it is.
pub fn write_escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let (mut start, mut i) = (0, 0);
    loop {
        i = next_string_stop(bytes, i);
        let Some(&b) = bytes.get(i) else { break };
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\x08' => out.extend_from_slice(b"\\b"),
            b'\x0c' => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[derive(PartialEq)]
enum State {
    Empty,
    First,
    Rest,
}

/// An array or object being written (`serde_json`'s `Compound`).
pub struct Compound<'p, 'o> {
    ser: &'p mut Pretty<'o>,
    state: State,
    close: u8,
}

impl Compound<'_, '_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.ser.next_line(self.state == State::First);
        self.state = State::Rest;
        value.serialize(&mut *self.ser)?;
        self.ser.has_value = true;
        Ok(())
    }

    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.ser.next_line(self.state == State::First);
        self.state = State::Rest;
        key.serialize(KeySerializer { ser: &mut *self.ser })
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.ser.out.extend_from_slice(b": ");
        value.serialize(&mut *self.ser)?;
        self.ser.has_value = true;
        Ok(())
    }

    fn end(self) {
        if self.state != State::Empty {
            self.ser.close(self.close);
        }
    }

    /// The end of a container that is a variant's content, then of the variant's object.
    fn end_variant(self) {
        let ser = &mut *self.ser;
        if self.state != State::Empty {
            ser.close(self.close);
        }
        ser.variant_end();
    }
}

macro_rules! integers {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, value: $ty) -> Result {
            use std::io::Write;
            write!(self.out, "{value}").map_err(|_| Unsupported)
        })*
    };
}

macro_rules! refused {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, _value: $ty) -> Result {
            Err(Unsupported)
        })*
    };
}

impl<'p, 'o> ser::Serializer for &'p mut Pretty<'o> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'p, 'o>;
    type SerializeTuple = Compound<'p, 'o>;
    type SerializeTupleStruct = Compound<'p, 'o>;
    type SerializeTupleVariant = Compound<'p, 'o>;
    type SerializeMap = Compound<'p, 'o>;
    type SerializeStruct = Compound<'p, 'o>;
    type SerializeStructVariant = Compound<'p, 'o>;

    integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128);
    integers!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128);
    refused!(serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8]);

    fn serialize_bool(self, value: bool) -> Result {
        self.out.extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result {
        self.text(value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, value: &str) -> Result {
        self.text(value);
        Ok(())
    }

    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.variant_key(variant);
        value.serialize(&mut *self)?;
        self.variant_end();
        Ok(())
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'p, 'o>> {
        Ok(self.container(len, b'[', b']'))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'p, 'o>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'p, 'o>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'p, 'o>> {
        self.variant_key(variant);
        self.serialize_seq(Some(len))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'p, 'o>> {
        Ok(self.container(len, b'{', b'}'))
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'p, 'o>> {
        if name == RAW_VALUE {
            return Err(Unsupported);
        }
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'p, 'o>> {
        self.variant_key(variant);
        self.serialize_map(Some(len))
    }
}

#[path = "json_pretty_compound.rs"]
mod compound;

#[path = "json_pretty_keys.rs"]
mod keys;
use keys::KeySerializer;

#[cfg(test)]
#[path = "json_pretty_ser_tests.rs"]
mod tests;
