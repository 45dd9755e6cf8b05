import CPangoCairo
import CQRencode
import Foundation

/// A cairo PDF surface with the few drawing operations certificates need: text laid out by
/// pango (so that Chinese, rare characters and line breaking are handled by the library that
/// does it best), lines and a QR code. Fonts are embedded as subsets by cairo.
final class PDFCanvas {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    enum Alignment { case left, center, right }

    let width: Double
    let height: Double
    private let surface: OpaquePointer
    private let context: OpaquePointer
    /// One pango context for all the text of the document (a layout of its own made a context each).
    private let pango: OpaquePointer
    private let sink: Sink

    /// Collects the PDF bytes (or writes them to a file) as cairo produces them.
    final class Sink {
        var bytes: [UInt8] = []
        var file: FileHandle?
        var failed = false

        func write(_ pointer: UnsafePointer<UInt8>, count: Int) {
            if let file {
                do { try file.write(contentsOf: UnsafeBufferPointer(start: pointer, count: count)) } catch { failed = true }
            } else {
                bytes.append(contentsOf: UnsafeBufferPointer(start: pointer, count: count))
            }
        }
    }

    /// A landscape A4 page by default (841.89 × 595.28 points). `creationDate` is written into
    /// the document's metadata instead of the current time, so the same content gives the same bytes.
    init(width: Double = 841.89, height: Double = 595.28, title: String, creationDate: String, file: FileHandle? = nil) {
        CertificateFonts.prepare()
        self.width = width
        self.height = height
        sink = Sink()
        sink.file = file
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        surface = cairo_pdf_surface_create_for_stream({ closure, data, length in
            guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
            let sink = Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue()
            sink.write(data, count: Int(length))
            return sink.failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS
        }, closure, width, height)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Peixun")
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, creationDate)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, creationDate)
        context = cairo_create(surface)
        pango = pango_cairo_create_context(context)
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(pango))
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Ends the document and returns its bytes (empty when it was written to a file).
    func finish() throws -> [UInt8] {
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS, !sink.failed else {
            throw Failure(description: "PDF 生成失败：" + String(cString: cairo_status_to_string(status)))
        }
        return sink.bytes
    }

    func nextPage() { cairo_show_page(context) }

    func setColor(red: Double, green: Double, blue: Double) { cairo_set_source_rgb(context, red, green, blue) }

    func strokeRectangle(x: Double, y: Double, width: Double, height: Double, lineWidth: Double) {
        cairo_set_line_width(context, lineWidth)
        cairo_rectangle(context, x, y, width, height)
        cairo_stroke(context)
    }

    func line(from start: (Double, Double), to end: (Double, Double), lineWidth: Double) {
        cairo_set_line_width(context, lineWidth)
        cairo_move_to(context, start.0, start.1)
        cairo_line_to(context, end.0, end.1)
        cairo_stroke(context)
    }

    /// Draws `text` in a box `width` wide from (x, y), wrapping at the width, and returns the
    /// height it took. `family` is a fontconfig family, `size` in points.
    @discardableResult
    func text(_ text: String, family: String, size: Double, bold: Bool = false, x: Double, y: Double, width: Double,
              alignment: Alignment = .left, letterSpacing: Double = 0, lineSpacing: Double = 1.0) -> Double {
        let layout = pango_layout_new(pango)!
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let font = pango_font_description_new()!
        defer { pango_font_description_free(font) }
        pango_font_description_set_family(font, family)
        pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_font_description_set_absolute_size(font, size * Double(PANGO_SCALE))
        pango_layout_set_font_description(layout, font)
        pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        if lineSpacing != 1.0 { pango_layout_set_line_spacing(layout, Float(lineSpacing)) }
        switch alignment {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        }
        if letterSpacing != 0 {
            let attributes = pango_attr_list_new()!
            pango_attr_list_insert(attributes, pango_attr_letter_spacing_new(Int32(letterSpacing * Double(PANGO_SCALE))))
            pango_layout_set_attributes(layout, attributes)
            pango_attr_list_unref(attributes)
        }
        pango_layout_set_text(layout, text, -1)
        cairo_move_to(context, x, y)
        pango_cairo_show_layout(context, layout)
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, nil, &logical)
        return Double(logical.height) / Double(PANGO_SCALE)
    }

    /// A QR code of `text` (error correction level M), `size` points square, with its quiet zone
    /// inside the square.
    func qrCode(_ text: String, x: Double, y: Double, size: Double) throws {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw Failure(description: "二维码生成失败")
        }
        defer { QRcode_free(code) }
        let modules = Int(code.pointee.width)
        let quietZone = 4
        let module = size / Double(modules + 2 * quietZone)
        cairo_save(context)
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_rectangle(context, x, y, size, size)
        cairo_fill(context)
        cairo_set_source_rgb(context, 0, 0, 0)
        let data = code.pointee.data!
        // One rectangle per run of dark modules in a row, not per module: the same area filled,
        // a third of the path (its numbers were most of a certificate's page content).
        for row in 0..<modules {
            var column = 0
            while column < modules {
                guard data[row * modules + column] & 1 == 1 else { column += 1; continue }
                let start = column
                while column < modules, data[row * modules + column] & 1 == 1 { column += 1 }
                cairo_rectangle(context, x + Double(start + quietZone) * module, y + Double(row + quietZone) * module,
                                Double(column - start) * module, module)
            }
        }
        cairo_fill(context)
        cairo_restore(context)
    }
}
