// The Train tab: what the next iteration will train on, why the dataset cannot train yet
// (when it cannot), and the configuration form, filled with the defaults the dataset
// suggests, each field with one line saying what it does.
import Foundation
import Imaging
import MinnowCore

/// The training form as typed: every field text, an empty field means "the default".
struct TrainingForm: Codable {
    var note: String?
    var architecture: String?
    var alpha: String?
    var width: String?
    var height: String?
    var colorMode: String?
    var resizeMode: String?
    var epochs: String?
    var batchSize: String?
    var learningRate: String?
    var optimizer: String?
    var schedule: String?
    var augmentation: String?
    var validationFraction: String?
    var seed: String?
}

extension Views {
    static func train(
        session: WebSession, project: Project, analysis: DatasetAnalysis,
        blockers: [String], form: TrainingForm, errors: FormErrors, notice: String?
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        let detection = project.task == .detection
        let architectures: [(value: String, text: String)] =
            detection
            ? [("fomo", "fomo: object centroids on a 1/8 grid")]
            : [
                ("tiny-cnn", "tiny-cnn: < 100K parameters, inputs up to 96 px"),
                ("mobilenet-v1", "mobilenet-v1: width multiplier alpha, larger inputs"),
            ]
        let blocked: HTML =
            blockers.isEmpty
            ? .empty
            : """
            <section class="error-summary" role="alert">
            <h3>The dataset cannot train yet</h3>
            <ul>\(blockers.map { HTML("<li>\($0)</li>") })</ul>
            <p>Fix it on the <a href="\(WebRoute.images(id).path)">Data</a> and <a href="\(WebRoute.labels(id).path)">Labels</a> tabs; the <a href="\(WebRoute.analysis(id).path)">Analysis</a> shows every problem.</p>
            </section>
            """
        return layout(
            title: "Train", session: session, project: project, tab: .train, notice: notice,
            """
            <h2>Train a model</h2>
            <ul class="stats">
            <li><strong>\(analysis.labelled)</strong> labelled images</li>
            <li><strong>\(analysis.labels.count)</strong> labels</li>
            <li><strong>\(analysis.labels.reduce(0) { $0 + $1.train })</strong> train</li>
            <li><strong>\(analysis.labels.reduce(0) { $0 + $1.test })</strong> test</li>
            </ul>
            \(blocked)
            \(errorSummary(errors))
            <form method="post" action="\(WebRoute.train(id).path)" class="train-form" novalidate>
            \(csrfField(session))
            <fieldset\(blockers.isEmpty ? "" : " disabled")>
            <legend>Configuration <span class="muted">(defaults chosen from this dataset; leave a field empty for its default)</span></legend>
            <div class="form-grid">
            \(select("Architecture", name: "architecture", options: architectures, selected: form.architecture, errors: errors))
            \(field("Width multiplier (alpha)", name: "alpha", value: form.alpha ?? "", errors: errors, hint: "mobilenet-v1 and fomo: 0.1–1; smaller is faster and fits smaller boards.", attributes: "inputmode=\"decimal\""))
            \(field("Input width", name: "width", value: form.width ?? "", errors: errors, hint: "Pixels the model sees across (8–640); images are resized to it.", attributes: "inputmode=\"numeric\""))
            \(field("Input height", name: "height", value: form.height ?? "", errors: errors, hint: "Pixels down (8–640). Smaller inputs train and run faster.", attributes: "inputmode=\"numeric\""))
            \(select("Colour mode", name: "colorMode", options: [(ColorMode.grayscale.rawValue, "grayscale: one channel, a third of the work"), (ColorMode.rgb.rawValue, "RGB: when colour tells the labels apart")], selected: form.colorMode, errors: errors))
            \(select("Resize mode", name: "resizeMode", options: [(ResizeMode.squash.rawValue, "squash: stretch to the input size"), (ResizeMode.fitShorterSideCrop.rawValue, "crop: fit the shorter side, crop the centre"), (ResizeMode.letterbox.rawValue, "letterbox: fit the longer side, pad")], selected: form.resizeMode, errors: errors))
            \(field("Epochs", name: "epochs", value: form.epochs ?? "", errors: errors, hint: "Passes over the training images (1–500).", attributes: "inputmode=\"numeric\""))
            \(field("Batch size", name: "batchSize", value: form.batchSize ?? "", errors: errors, hint: "Images per training step (1–512).", attributes: "inputmode=\"numeric\""))
            \(field("Learning rate", name: "learningRate", value: form.learningRate ?? "", errors: errors, hint: "Step size of the optimiser, e.g. 0.001; too high diverges, too low learns slowly.", attributes: "inputmode=\"decimal\""))
            \(select("Optimiser", name: "optimizer", options: [("adam", "Adam: a good default"), ("adamw", "AdamW: Adam with weight decay"), ("sgd", "SGD with momentum")], selected: form.optimizer, errors: errors))
            \(select("Learning-rate schedule", name: "schedule", options: [("cosine", "cosine: down to 1% at the end"), ("constant", "constant"), ("step", "step: halved every 10 epochs")], selected: form.schedule, errors: errors))
            \(field("Validation fraction", name: "validationFraction", value: form.validationFraction ?? "", errors: errors, hint: "Part of the training split held out to check each epoch (0–0.5).", attributes: "inputmode=\"decimal\""))
            \(field("Seed", name: "seed", value: form.seed ?? "", errors: errors, hint: "The same seed and data give the same model.", attributes: "inputmode=\"numeric\""))
            \(field("Note (optional)", name: "note", value: form.note ?? "", errors: errors, hint: "A few words to find this iteration again.", attributes: "maxlength=\"200\""))
            </div>
            <div class="field check">
            <label><input type="checkbox" name="augmentation" value="on"\(form.augmentation == "on" ? " checked" : "")> Augmentation</label>
            <p class="hint">Random flips, shifts, small rotations, brightness and noise on training images: helps small datasets.</p>
            </div>
            <button type="submit">Start training</button>
            </fieldset>
            </form>
            """)
    }
}

extension TrainingForm {
    /// The form showing a resolved configuration.
    init(_ c: StoredTrainingConfiguration) {
        self.init(
            note: nil, architecture: c.architecture.rawValue, alpha: Self.number(c.alpha), width: String(c.input.width),
            height: String(c.input.height), colorMode: c.input.colorMode.rawValue, resizeMode: c.resizeMode.rawValue,
            epochs: String(c.epochs), batchSize: String(c.batchSize), learningRate: Self.number(c.learningRate),
            optimizer: c.optimizer.rawValue, schedule: c.schedule.rawValue, augmentation: c.augmentation ? "on" : nil,
            validationFraction: Self.number(c.validationFraction), seed: String(c.seed))
    }

    /// The project's input and nothing else, when no defaults could be worked out.
    init(project: Project) {
        self.init(
            width: String(project.inputWidth), height: String(project.inputHeight),
            colorMode: project.colorMode.rawValue)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }

    /// What the form asks to train with, or the fields that are not numbers or not one of the choices.
    func trainingRequest() -> Result<TrainingRequest, FormErrors> {
        var errors = FormErrors()
        func text(_ value: String?) -> String? {
            let trimmed = value?.trimmingCharacters(in: .whitespaces) ?? ""
            return trimmed.isEmpty ? nil : trimmed
        }
        func integer(_ value: String?, _ name: String, _ what: String) -> Int? {
            guard let value = text(value) else { return nil }
            guard let number = Int(value) else { errors.fields[name] = "\(what) must be a whole number."; return nil }
            return number
        }
        func decimal(_ value: String?, _ name: String, _ what: String) -> Double? {
            guard let value = text(value) else { return nil }
            guard let number = Double(value), number.isFinite else {
                errors.fields[name] = "\(what) must be a number, e.g. 0.001."; return nil
            }
            return number
        }
        func choice<T: RawRepresentable>(_ value: String?, _ name: String, _ type: T.Type) -> T?
        where T.RawValue == String {
            guard let value = text(value) else { return nil }
            guard let chosen = T(rawValue: value) else {
                errors.fields[name] = "Choose one of the options."; return nil
            }
            return chosen
        }
        let width = integer(width, "width", "The width"), height = integer(height, "height", "The height")
        let colour = choice(colorMode, "colorMode", ColorMode.self)
        if (width == nil) != (height == nil), errors.fields["width"] == nil, errors.fields["height"] == nil {
            errors.fields[width == nil ? "width" : "height"] = "Give both the width and the height, or neither."
        }
        var size: ProjectInput?
        if let width, let height { size = .init(width: width, height: height, colorMode: colour ?? .grayscale) }
        let request = TrainingRequest(
            note: text(note),
            architecture: choice(architecture, "architecture", StoredTrainingConfiguration.Architecture.self),
            alpha: decimal(alpha, "alpha", "Alpha"), input: size,
            resizeMode: choice(resizeMode, "resizeMode", ResizeMode.self),
            epochs: integer(epochs, "epochs", "Epochs"), batchSize: integer(batchSize, "batchSize", "The batch size"),
            learningRate: decimal(learningRate, "learningRate", "The learning rate"),
            optimizer: choice(optimizer, "optimizer", StoredTrainingConfiguration.Optimizer.self),
            schedule: choice(schedule, "schedule", StoredTrainingConfiguration.Schedule.self),
            augmentation: augmentation == "on",
            validationFraction: decimal(validationFraction, "validationFraction", "The validation fraction"),
            seed: integer(seed, "seed", "The seed")
        )
        if let alpha = request.alpha, !(0.1...1).contains(alpha), errors.fields["alpha"] == nil {
            errors.fields["alpha"] = "Alpha must be 0.1–1."
        }
        if let seed = request.seed, seed < 0 { errors.fields["seed"] = "The seed must be 0 or more." }
        return errors.fields.isEmpty ? .success(request) : .failure(errors)
    }
}
