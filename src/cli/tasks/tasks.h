// One factory per task file (registry.cpp lists them).
#pragma once
#include <memory>

#include "task.h"

namespace afinar::cli {

std::unique_ptr<Task> make_text_classification_task();   // text_classification.cpp: run_classification.py
std::unique_ptr<Task> make_token_classification_task();  // token_classification.cpp: run_ner.py
std::unique_ptr<Task> make_fill_mask_task();             // language_modeling.cpp: run_mlm.py
std::unique_ptr<Task> make_text_generation_task();       // language_modeling.cpp: run_clm.py
std::unique_ptr<Task> make_translation_task();           // translation.cpp: run_translation.py
std::unique_ptr<Task> make_summarization_task();         // summarization.cpp: run_summarization.py
std::unique_ptr<Task> make_question_answering_task();    // question_answering.cpp: run_qa.py

}  // namespace afinar::cli
