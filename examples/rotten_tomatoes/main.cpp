// The seed notebook, step for step, through afinar's C++ API:
// load_dataset → AutoTokenizer → map(tokenize) → DataCollatorWithPadding → TrainingArguments →
// AutoModelForSequenceClassification → Trainer.train() → Trainer.predict() → argmax → accuracy, F1.
//
//   ./build/examples/rotten_tomatoes_example [checkpoint] [num_train_epochs] [max_train_samples]
#include <unistd.h>

#include <iostream>

#include "afinar/data/load_dataset.h"
#include "afinar/metrics/classification.h"
#include "afinar/models/modeling.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/text_classification.h"
#include "afinar/train/trainer.h"

int main(int argc, char** argv) try {
  const std::string checkpoint = argc > 1 ? argv[1] : "sentence-transformers/all-MiniLM-L6-v2";
  const std::string epochs = argc > 2 ? argv[2] : "1";
  const int64_t max_train = argc > 3 ? std::stoll(argv[3]) : -1;

  // dataset = load_dataset("rotten_tomatoes"); dataset
  afinar::DatasetDict dataset = afinar::load_dataset("rotten_tomatoes");
  std::cout << dataset << "\n";

  // tokenizer = AutoTokenizer.from_pretrained(checkpoint)
  // tokenized_datasets = dataset.map(lambda x: tokenizer(x["text"], truncation=True), batched=True)
  afinar::Tokenizer tokenizer = afinar::AutoTokenizer::from_pretrained(checkpoint);
  afinar::ClassificationPreprocessing pre;  // text column "text", label column "label", truncation at 128
  const std::vector<int64_t> labels = afinar::get_label_list(dataset["train"], "label");
  afinar::Dataset train_split = dataset["train"];
  if (max_train > 0 && max_train < train_split.num_rows()) {
    std::vector<int64_t> idx(max_train);
    for (int64_t i = 0; i < max_train; ++i) idx[i] = i * (train_split.num_rows() / max_train);  // both classes
    train_split = train_split.select(idx);
  }
  // (map with a declared transform: a second run is served from the memory-mapped cache file)
  afinar::Dataset tokenized_train =
      afinar::preprocess_classification(train_split, "train", tokenizer, pre, labels, true);
  afinar::Dataset tokenized_validation =
      afinar::preprocess_classification(dataset["validation"], "validation", tokenizer, pre, labels, true);
  afinar::Dataset tokenized_test =
      afinar::preprocess_classification(dataset["test"], "test", tokenizer, pre, labels, true);
  // The Trainer reads the rows from the Arrow columns in place.
  const afinar::Examples train = afinar::Examples::from_dataset(tokenized_train);
  const afinar::Examples validation = afinar::Examples::from_dataset(tokenized_validation);
  const afinar::Examples test = afinar::Examples::from_dataset(tokenized_test);

  // data_collator = DataCollatorWithPadding(tokenizer=tokenizer)
  auto data_collator = std::make_shared<afinar::DataCollatorWithPadding>(tokenizer.pad_token_id().value_or(0));

  // training_args = TrainingArguments("model-trainer-checkpoint")
  afinar::TrainingArguments training_args("model-trainer-checkpoint");
  training_args.set("num_train_epochs", epochs);
  training_args.set("save_strategy", "no");

  // model = AutoModelForSequenceClassification.from_pretrained(checkpoint, num_labels=2)
  torch::manual_seed(static_cast<uint64_t>(training_args.seed));
  afinar::FromPretrainedOptions options;
  options.num_labels = static_cast<int64_t>(labels.size());
  afinar::PreTrainedModel model = afinar::AutoModelForSequenceClassification::from_pretrained(checkpoint, options);

  // trainer = Trainer(model, training_args, train_dataset=..., eval_dataset=..., data_collator=..., tokenizer=...)
  afinar::Trainer trainer(model, training_args, data_collator, &train, &validation, &tokenizer);
  trainer.add_callback(std::make_shared<afinar::ProgressCallback>(std::cout, ::isatty(STDOUT_FILENO)));

  // trainer.train()
  trainer.train();

  // predictions = trainer.predict(tokenized_datasets["test"]); predictions.predictions
  afinar::PredictionOutput predictions = trainer.predict(test);
  std::cout << "predictions.predictions: " << predictions.predictions.sizes() << " float32\n"
            << predictions.predictions.slice(0, 0, 3) << "\n";

  // preds = np.argmax(predictions.predictions, axis=-1); accuracy_score; f1_score
  auto preds = predictions.predictions.argmax(-1).contiguous();
  auto refs = predictions.label_ids.contiguous();
  afinar::ClassificationMetrics metric(static_cast<int64_t>(labels.size()));
  metric.add({preds.data_ptr<int64_t>(), static_cast<size_t>(preds.numel())},
             {refs.data_ptr<int64_t>(), static_cast<size_t>(refs.numel())});
  std::cout << "accuracy_score: " << metric.accuracy() << "\n"
            << "f1_score: " << metric.f1() << "\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
