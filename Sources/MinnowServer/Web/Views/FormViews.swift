// Form building blocks: labelled fields whose validation errors sit next to them
// (`aria-invalid` + `aria-describedby`), and an error summary for the rest.
import Foundation
import MinnowCore

/// Messages for a form: per field, and one for the form as a whole.
struct FormErrors {
    var fields: [String: String] = [:]
    var general: String?

    static let none = FormErrors()

    init(fields: [String: String] = [:], general: String? = nil) {
        self.fields = fields
        self.general = general
    }

    init(_ failure: DomainFailure) {
        if let field = failure.field { fields[field] = failure.message } else { general = failure.message }
    }

    subscript(field: String) -> String? { fields[field] }
}

/// Parsing a form can fail with its messages (`Result<_, FormErrors>`).
extension FormErrors: Error {}

extension Views {
    static func field(
        _ label: String, name: String, type: String = "text", value: String = "", errors: FormErrors,
        hint: String? = nil, attributes: HTML = "", id: String? = nil
    ) -> HTML {
        let id = id ?? "f-\(name)"
        let error = errors[name]
        let described: HTML =
            error != nil
            ? " aria-invalid=\"true\" aria-describedby=\"\(id)-error\""
            : (hint != nil ? " aria-describedby=\"\(id)-hint\"" : "")
        return """
            <div class="field\(error != nil ? " has-error" : "")">
            <label for="\(id)">\(label)</label>
            <input id="\(id)" name="\(name)" type="\(type)" value="\(value)"\(described) \(attributes)>
            \(hint.map { HTML("<p class=\"hint\" id=\"\(id)-hint\">\($0)</p>") })
            \(error.map { HTML("<p class=\"error\" id=\"\(id)-error\">\($0)</p>") })
            </div>
            """
    }

    static func select(
        _ label: String, name: String, options: [(value: String, text: String)], selected: String?,
        errors: FormErrors = .none, id: String? = nil
    ) -> HTML {
        let id = id ?? "f-\(name)"
        let error = errors[name]
        let items = options.map { option -> HTML in
            let mark: HTML = option.value == selected ? " selected" : ""
            return "<option value=\"\(option.value)\"\(mark)>\(option.text)</option>"
        }
        return """
            <div class="field\(error != nil ? " has-error" : "")">
            <label for="\(id)">\(label)</label>
            <select id="\(id)" name="\(name)"\(error != nil ? HTML(" aria-invalid=\"true\" aria-describedby=\"\(id)-error\"") : "")>\(items)</select>
            \(error.map { HTML("<p class=\"error\" id=\"\(id)-error\">\($0)</p>") })
            </div>
            """
    }

    static func errorSummary(_ errors: FormErrors) -> HTML {
        errors.general.map { HTML("<p class=\"error-summary\" role=\"alert\">\($0)</p>") } ?? .empty
    }
}
