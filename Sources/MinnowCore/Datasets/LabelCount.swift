// How many images a label has in each split (an image counts towards its class, or towards
// each class of its boxes).
package struct LabelCount: Sendable, Equatable {
    package var label: String
    package var train: Int
    package var test: Int
    package var total: Int

    package init(label: String, train: Int, test: Int, total: Int) {
        self.label = label
        self.train = train
        self.test = test
        self.total = total
    }
}
