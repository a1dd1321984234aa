// TrainingData module.
