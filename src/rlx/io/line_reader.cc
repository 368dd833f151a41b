#include "rlx/io/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "rlx/core/error.h"
#include "rlx/io/capture_segment.h"

namespace rlx::io {

const char* compression_name(Compression compression) {
  switch (compression) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kNone:
      break;
  }
  return "plain";
}

// The decompressor state; only the member for the detected compression is initialised.
struct LineReader::Decoder {
  z_stream z{};
  bool z_init = false;
  bool z_member_done = false;  // the last gzip member ended and nothing followed it yet
  bool raw_deflate = false;    // resumed inside a member: raw inflate, then its trailer
  size_t trailer_left = 0;     // gzip trailer bytes still to pass over (not checked: see seek())
  ZSTD_DStream* zstd = nullptr;
  size_t zstd_last = 1;  // last ZSTD_decompressStream hint: 0 when a frame just completed

  ~Decoder() {
    if (z_init) inflateEnd(&z);
    if (zstd != nullptr) ZSTD_freeDStream(zstd);
  }
};

LineReader::LineReader(std::string path, const LineReaderOptions& options)
    : path_(std::move(path)), options_(options) {
  options_.read_buffer_bytes = std::max<size_t>(options_.read_buffer_bytes, 4096);
  options_.text_buffer_bytes = std::max<size_t>(options_.text_buffer_bytes, 4096);
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    throw bad_input(Location{path_, 0, ""}, std::string("cannot open: ") + std::strerror(errno));
  }
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  raw_ = std::make_unique<char[]>(options_.read_buffer_bytes);
  text_cap_ = options_.text_buffer_bytes;
  text_ = std::make_unique<char[]>(text_cap_);
  decoder_ = std::make_unique<Decoder>();
  restarts_.emplace_back();  // the file's start
  restart_serial_ = 1;

  // Detect the compression from the magic bytes of the first read.
  while (raw_end_ < 4 && read_raw()) {
  }
  const auto* b = reinterpret_cast<const unsigned char*>(raw_.get());
  if (raw_end_ >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
    compression_ = Compression::kGzip;
    // 16 + MAX_WBITS: gzip wrapper only; concatenated members are handled in fill().
    if (inflateInit2(&decoder_->z, 16 + MAX_WBITS) != Z_OK) fail("cannot initialise zlib");
    decoder_->z_init = true;
  } else if (raw_end_ >= 4 &&
             ((b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) ||
              // a zstd skippable frame (rlx capture segments start with one)
              ((b[0] & 0xf0) == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18))) {
    compression_ = Compression::kZstd;
    decoder_->zstd = ZSTD_createDStream();
    if (decoder_->zstd == nullptr) fail("cannot initialise zstd");
    ZSTD_initDStream(decoder_->zstd);
    if (starts_with_segment_header(std::string_view(raw_.get(), raw_end_))) {
      struct stat st {};
      std::string tail(segment_footer_size(), '\0');
      const bool footer =
          ::fstat(fd_, &st) == 0 && static_cast<size_t>(st.st_size) >= tail.size() &&
          ::pread(fd_, tail.data(), tail.size(),
                  static_cast<off_t>(st.st_size - static_cast<off_t>(tail.size()))) ==
              static_cast<ssize_t>(tail.size()) &&
          ends_with_segment_footer(tail);
      unfinished_segment_ = !footer;
    }
  }
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
}

void LineReader::fail(const std::string& what) const {
  throw bad_input(Location{path_, line_number_ + 1, ""}, what);
}

bool LineReader::read_raw() {
  if (raw_eof_) return false;
  if (raw_pos_ == raw_end_) {
    raw_base_ += raw_end_;
    raw_pos_ = raw_end_ = 0;
  }
  if (raw_end_ == options_.read_buffer_bytes) {  // only during detection with a tiny buffer
    return true;
  }
  for (;;) {
    const ssize_t n = ::read(fd_, raw_.get() + raw_end_, options_.read_buffer_bytes - raw_end_);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(std::string("read error: ") + std::strerror(errno));
    }
    if (n == 0) {
      raw_eof_ = true;
      return false;
    }
    raw_end_ += static_cast<size_t>(n);
    return true;
  }
}

bool LineReader::fill() {
  // Make room: slide the unreturned partial line to the front, or grow for a very long line.
  const size_t pending = text_end_ - text_pos_;
  if (text_pos_ > 0 && text_cap_ - text_end_ < text_cap_ / 4) {
    std::memmove(text_.get(), text_.get() + text_pos_, pending);
    scan_from_ -= text_pos_;
    text_pos_ = 0;
    text_end_ = pending;
  }
  if (text_end_ == text_cap_) {
    if (pending >= options_.max_line_bytes) {
      fail("line longer than " + std::to_string(options_.max_line_bytes) + " bytes");
    }
    const size_t cap = std::min(text_cap_ * 2, options_.max_line_bytes + 1);
    auto grown = std::make_unique<char[]>(cap);
    std::memcpy(grown.get(), text_.get() + text_pos_, pending);
    text_ = std::move(grown);
    text_cap_ = cap;
    scan_from_ -= text_pos_;
    text_pos_ = 0;
    text_end_ = pending;
  }
  char* out = text_.get() + text_end_;
  const size_t room = text_cap_ - text_end_;

  switch (compression_) {
    case Compression::kNone: {
      if (raw_pos_ < raw_end_) {  // bytes read during detection
        const size_t n = std::min(room, raw_end_ - raw_pos_);
        std::memcpy(out, raw_.get() + raw_pos_, n);
        raw_pos_ += n;
        text_end_ += n;
        text_bytes_ += n;
        decoded_bytes_ += n;
        return true;
      }
      if (raw_eof_) return false;
      for (;;) {
        const ssize_t n = ::read(fd_, out, room);
        if (n < 0) {
          if (errno == EINTR) continue;
          fail(std::string("read error: ") + std::strerror(errno));
        }
        if (n == 0) {
          raw_eof_ = true;
          return false;
        }
        text_end_ += static_cast<size_t>(n);
        text_bytes_ += static_cast<uint64_t>(n);
        decoded_bytes_ += static_cast<uint64_t>(n);
        return true;
      }
    }
    case Compression::kGzip: {
      z_stream& z = decoder_->z;
      for (;;) {
        if (raw_pos_ == raw_end_ && !raw_eof_) read_raw();
        const size_t avail = raw_end_ - raw_pos_;
        if (decoder_->trailer_left > 0) {
          const size_t n = std::min(avail, decoder_->trailer_left);
          raw_pos_ += n;
          decoder_->trailer_left -= n;
          if (decoder_->trailer_left > 0 && raw_eof_) {
            fail("truncated gzip stream: the file ends inside a member's trailer");
          }
          continue;  // more input, or the end of the file, decides what follows
        }
        if (decoder_->z_member_done) {
          if (avail == 0 && raw_eof_) return false;  // clean end after the last member
          // Another gzip member follows (concatenated .gz files are valid gzip): a restart point.
          if (options_.restart_interval > 0 &&
              text_bytes_ - restarts_.back().raw_text_offset >= options_.restart_interval) {
            add_restart_point(/*in_member=*/false, 0);
          }
          inflateReset2(&z, 16 + MAX_WBITS);  // the wrapper again, after a resume inside one
          decoder_->z_member_done = false;
        }
        z.next_in = reinterpret_cast<Bytef*>(raw_.get() + raw_pos_);
        z.avail_in = static_cast<uInt>(avail);
        z.next_out = reinterpret_cast<Bytef*>(out);
        z.avail_out = static_cast<uInt>(room);
        // Z_BLOCK: inflate stops at each deflate block's end, where a restart point can be.
        const int rc = inflate(&z, options_.restart_interval > 0 ? Z_BLOCK : Z_NO_FLUSH);
        raw_pos_ += avail - z.avail_in;
        const size_t produced = room - z.avail_out;
        text_end_ += produced;
        text_bytes_ += produced;
        decoded_bytes_ += produced;
        if (rc == Z_STREAM_END) {
          decoder_->z_member_done = true;
          if (decoder_->raw_deflate) {  // raw inflate stops before the member's 8-byte trailer
            decoder_->raw_deflate = false;
            decoder_->trailer_left = 8;
          }
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
          fail(std::string("corrupt gzip stream: ") + (z.msg != nullptr ? z.msg : zError(rc)) +
               " after " + std::to_string(text_bytes_) + " decompressed bytes");
        } else if ((z.data_type & 128) != 0 && (z.data_type & 64) == 0 &&
                   options_.restart_interval > 0 &&
                   text_bytes_ - restarts_.back().raw_text_offset >= options_.restart_interval) {
          add_restart_point(/*in_member=*/true, static_cast<uint8_t>(z.data_type & 7));
        }
        if (produced > 0) return true;
        // Z_BUF_ERROR: no progress was possible. (A Z_OK at a block's end with the input used
        // up is not an end yet: the next call reads the trailer that zlib holds.)
        if (rc == Z_BUF_ERROR && raw_pos_ == raw_end_ && raw_eof_) {
          fail("truncated gzip stream: the file ends inside a compressed block after " +
               std::to_string(text_bytes_) + " decompressed bytes");
        }
      }
    }
    case Compression::kZstd: {
      for (;;) {
        if (raw_pos_ == raw_end_ && !raw_eof_) read_raw();
        // The last call finished a frame and nothing follows: a clean end.
        if (raw_pos_ == raw_end_ && raw_eof_ && decoder_->zstd_last == 0) return false;
        ZSTD_inBuffer in{raw_.get(), raw_end_, raw_pos_};
        ZSTD_outBuffer zout{out, room, 0};
        const size_t rc = ZSTD_decompressStream(decoder_->zstd, &zout, &in);
        if (ZSTD_isError(rc)) {
          fail(std::string("corrupt zstd stream: ") + ZSTD_getErrorName(rc) + " after " +
               std::to_string(text_bytes_) + " decompressed bytes");
        }
        const bool progress = in.pos != raw_pos_ || zout.pos > 0;
        raw_pos_ = in.pos;
        decoder_->zstd_last = rc;
        text_end_ += zout.pos;
        text_bytes_ += zout.pos;
        decoded_bytes_ += zout.pos;
        // A frame ended here: the next one decodes on its own, a restart point.
        if (rc == 0 && options_.restart_interval > 0 &&
            text_bytes_ - restarts_.back().raw_text_offset >= options_.restart_interval) {
          add_restart_point(/*in_member=*/false, 0);
        }
        if (zout.pos > 0) return true;
        if (raw_pos_ == raw_end_ && raw_eof_ && !progress && rc != 0) {
          if (unfinished_segment_) {
            torn_tail_ = true;  // next() drops the partial last line
            return false;
          }
          fail("truncated zstd stream: the file ends inside a frame after " +
               std::to_string(text_bytes_) + " decompressed bytes");
        }
      }
    }
  }
  return false;
}

namespace {
constexpr size_t kKeptRestarts = 8;  // more than the text buffer can be ahead of a mark
constexpr uint32_t kPositionTag = make_tag("LNP", 1);
}  // namespace

void LinePosition::save(BinaryWriter& w) const {
  w.u32(kPositionTag);
  w.u64(line_number);
  w.u64(text_offset);
  w.u64(raw_offset);
  w.u64(raw_text_offset);
  w.u8(bits);
  w.boolean(in_member);
  w.str(window);
}

LinePosition LinePosition::load(BinaryReader& r) {
  r.expect_tag(kPositionTag, "LinePosition");
  LinePosition p;
  p.line_number = r.u64("LinePosition.line_number");
  p.text_offset = r.u64("LinePosition.text_offset");
  p.raw_offset = r.u64("LinePosition.raw_offset");
  p.raw_text_offset = r.u64("LinePosition.raw_text_offset");
  p.bits = r.u8("LinePosition.bits");
  p.in_member = r.u8("LinePosition.in_member") != 0;
  p.window = r.str("LinePosition.window");
  return p;
}

void LineReader::add_restart_point(bool in_member, uint8_t bits) {
  LinePosition p;
  p.raw_offset = raw_base_ + raw_pos_;
  p.raw_text_offset = text_bytes_;
  p.in_member = in_member;
  p.bits = bits;
  if (in_member) {
    p.window.resize(32768);
    uInt length = 0;
    inflateGetDictionary(&decoder_->z, reinterpret_cast<Bytef*>(p.window.data()), &length);
    p.window.resize(length);
  }
  restarts_.push_back(std::move(p));
  ++restart_serial_;
  if (restarts_.size() > kKeptRestarts) restarts_.pop_front();
}

LineReader::Mark LineReader::mark() const {
  Mark m;
  m.line_number = line_number_;
  m.text_offset = text_bytes_ - (text_end_ - text_pos_);
  // The newest restart point at or before the mark (decoding runs ahead of the lines).
  m.restart_serial = restart_serial_;
  for (auto it = restarts_.rbegin(); it != restarts_.rend(); ++it, --m.restart_serial) {
    if (it->raw_text_offset <= m.text_offset) break;
  }
  return m;
}

LinePosition LineReader::position(const Mark& mark) const {
  LinePosition p;  // the file's start unless the mark's restart point is still kept
  const uint64_t oldest = restart_serial_ + 1 - restarts_.size();
  if (compression_ == Compression::kNone) {
    p.raw_offset = p.raw_text_offset = mark.text_offset;
  } else if (mark.restart_serial >= oldest && mark.restart_serial <= restart_serial_) {
    p = restarts_[mark.restart_serial - oldest];
  }
  p.line_number = mark.line_number;
  p.text_offset = mark.text_offset;
  return p;
}

void LineReader::drop_text_until(uint64_t text_offset) {
  text_pos_ = text_end_ = scan_from_ = 0;
  while (text_bytes_ < text_offset) {
    if (!fill()) fail("the position to resume from lies beyond the end of the file");
    text_pos_ = scan_from_ = text_end_;  // all of it lies before the position
  }
  text_pos_ = scan_from_ = text_end_ - static_cast<size_t>(text_bytes_ - text_offset);
}

void LineReader::seek(const LinePosition& p) {
  if (line_number_ != 0) fail("seek on a reader that has read already");
  if (p.text_offset < p.raw_text_offset) fail("a position before its restart point");
  const bool from_start = p.raw_offset == 0 && p.raw_text_offset == 0;
  if (!from_start) {
    const uint64_t at = p.raw_offset - (p.bits != 0 ? 1 : 0);
    if (::lseek(fd_, static_cast<off_t>(at), SEEK_SET) < 0) {
      fail(std::string("cannot seek: ") + std::strerror(errno));
    }
    raw_pos_ = raw_end_ = 0;
    raw_eof_ = false;
    raw_base_ = at;
    text_bytes_ = p.raw_text_offset;
    switch (compression_) {
      case Compression::kNone:
        break;
      case Compression::kZstd:
        ZSTD_DCtx_reset(decoder_->zstd, ZSTD_reset_session_only);
        decoder_->zstd_last = 0;
        break;
      case Compression::kGzip: {
        z_stream& z = decoder_->z;
        decoder_->z_member_done = false;
        if (!p.in_member) {
          inflateReset2(&z, 16 + MAX_WBITS);
          break;
        }
        // Inside a member (zlib's zran.c): raw deflate from a block boundary, with the bits of
        // the byte before it and the window the block may refer back into. The member's CRC is
        // not checked from here (its start was not read).
        inflateReset2(&z, -MAX_WBITS);
        if (p.bits != 0) {
          if (!read_raw()) fail("the position to resume from lies beyond the end of the file");
          const auto byte = static_cast<unsigned char>(raw_[raw_pos_++]);
          inflatePrime(&z, p.bits, byte >> (8 - p.bits));
        }
        inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(p.window.data()),
                             static_cast<uInt>(p.window.size()));
        decoder_->raw_deflate = true;
        break;
      }
    }
    LinePosition restart = p;
    restart.line_number = 0;
    restart.text_offset = 0;
    restarts_.push_back(std::move(restart));
    ++restart_serial_;
  }
  drop_text_until(p.text_offset);
  line_number_ = p.line_number;
}

bool LineReader::next(std::string_view* line) {
  for (;;) {
    const char* base = text_.get();
    const void* nl = scan_from_ < text_end_
                         ? std::memchr(base + scan_from_, '\n', text_end_ - scan_from_)
                         : nullptr;
    if (nl != nullptr) {
      const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - base);
      size_t len = end - text_pos_;
      if (len > 0 && base[text_pos_ + len - 1] == '\r') --len;
      *line = std::string_view(base + text_pos_, len);
      text_pos_ = scan_from_ = end + 1;
      ++line_number_;
      return true;
    }
    scan_from_ = text_end_;
    if (text_eof_) {
      if (text_pos_ == text_end_ || torn_tail_) return false;
      size_t len = text_end_ - text_pos_;
      if (base[text_pos_ + len - 1] == '\r') --len;
      *line = std::string_view(base + text_pos_, len);
      text_pos_ = scan_from_ = text_end_;
      ++line_number_;
      return true;
    }
    if (!fill()) text_eof_ = true;
  }
}

}  // namespace rlx::io
