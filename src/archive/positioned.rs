//! A buffered reader for random access that costs no system call when a seek lands inside
//! the buffer.
//!
//! The zip reader seeks to every entry's local header and asks for the stream position
//! several times per entry. `std::io::BufReader` throws its buffer away on every seek and
//! forwards position queries to the kernel, which for an archive of thousands of small files
//! means hundreds of thousands of `lseek` calls and re-reading the same pages again and
//! again. Entries are laid out in order, so nearly every seek lands in the current buffer:
//! this reader serves those from memory and refills with `pread` otherwise.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;

pub struct PositionedReader {
    file: File,
    len: u64,
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    buf_start: u64,
    /// Valid bytes in `buf`.
    filled: usize,
    /// Current position in the file.
    pos: u64,
}

impl PositionedReader {
    pub fn new(file: File, capacity: usize) -> io::Result<PositionedReader> {
        let len = file.metadata()?.len();
        Ok(PositionedReader {
            file,
            len,
            buf: vec![0; capacity.max(4096)],
            buf_start: 0,
            filled: 0,
            pos: 0,
        })
    }

    fn in_buffer(&self) -> Option<usize> {
        let offset = self.pos.checked_sub(self.buf_start)?;
        (offset < self.filled as u64).then_some(offset as usize)
    }

    fn refill(&mut self) -> io::Result<()> {
        self.buf_start = self.pos;
        self.filled = 0;
        while self.filled < self.buf.len() {
            match self
                .file
                .read_at(&mut self.buf[self.filled..], self.pos + self.filled as u64)
            {
                Ok(0) => break,
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl Read for PositionedReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() || self.pos >= self.len {
            return Ok(0);
        }
        // Large reads bypass the buffer.
        if out.len() >= self.buf.len() && self.in_buffer().is_none() {
            let n = self.file.read_at(out, self.pos)?;
            self.pos += n as u64;
            return Ok(n);
        }
        let offset = match self.in_buffer() {
            Some(o) => o,
            None => {
                self.refill()?;
                0
            }
        };
        let available = &self.buf[offset..self.filled];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PositionedReader {
    fn seek(&mut self, target: SeekFrom) -> io::Result<u64> {
        let new = match target {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start",
            )),
        }
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_and_seeks_like_a_file() {
        let mut tmp = tempfile::tempfile().unwrap();
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        tmp.write_all(&data).unwrap();
        let mut r = PositionedReader::new(tmp, 4096).unwrap();
        let mut out = vec![0u8; 10];
        r.seek(SeekFrom::Start(5000)).unwrap();
        r.read_exact(&mut out).unwrap();
        assert_eq!(out, &data[5000..5010]);
        r.seek(SeekFrom::Current(-5)).unwrap();
        r.read_exact(&mut out).unwrap();
        assert_eq!(out, &data[5005..5015]);
        r.seek(SeekFrom::End(-3)).unwrap();
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, &data[99_997..]);
        r.seek(SeekFrom::Start(10)).unwrap();
        let mut big = vec![0u8; 50_000];
        r.read_exact(&mut big).unwrap();
        assert_eq!(big, &data[10..50_010]);
        assert!(r.seek(SeekFrom::Current(-1_000_000)).is_err());
    }
}
