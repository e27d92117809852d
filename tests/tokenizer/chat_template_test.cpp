#include "r1/tokenizer/chat_template.h"

#include "r1/config/load.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::tokenizer {
namespace {

TEST(ChatTemplateTest, R1ZeroFollowsPaperTableOne) {
    const ChatTemplate t(Template::r1_zero, {});
    const std::string p = t.render("What is 2+3?");
    test::expect_contains(
        p, {"conversation between User and Assistant", "<think> </think>", "<answer> </answer>"});
    EXPECT_TRUE(p.ends_with("\nUser: What is 2+3?\nAssistant:")) << p;
    EXPECT_TRUE(
        ChatTemplate(Template::r1_zero, {}, true).render("x").ends_with("Assistant: <think>"));
}

TEST(ChatTemplateTest, QwenMathAndChatAreChatMl) {
    EXPECT_EQ(ChatTemplate(Template::qwen_math, {}).render("1+1?"),
              "<|im_start|>system\nPlease reason step by step, and put your final answer within "
              "\\boxed{}."
              "<|im_end|>\n<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n");
    const ChatTemplate chat(Template::chat, {.chat_system = "Be brief."});
    EXPECT_EQ(chat.render({{"user", "hi"}, {"assistant", "hello"}}, false),
              "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
              "<|im_start|>assistant\nhello<|im_end|>\n");
    EXPECT_EQ(chat.render("hi"),
              "<|im_start|>system\nBe "
              "brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
}

TEST(ChatTemplateTest, FillIsOnePassAndLeavesOtherBraces) {
    EXPECT_EQ(fill("Q: {prompt} \\boxed{} {x}", {{"prompt", "{prompt}"}}),
              "Q: {prompt} \\boxed{} {x}");
    EXPECT_EQ(fill("{a}{b}", {{"a", "1"}, {"b", "2"}}), "12");
}

TEST(ChatTemplateTest, TextsComeFromYamlAndAreValidated) {
    util::TempDir dir;
    util::atomic_write_file(dir.path() / "t.yaml",
                            "r1_zero: \"Q: {prompt}\\nA:\"\nchat_system: sys\n");
    const auto o = config::load<ChatTemplateOptions>(dir.path() / "t.yaml");
    EXPECT_EQ(ChatTemplate(Template::r1_zero, o).render("2+2"), "Q: 2+2\nA:");
    EXPECT_EQ(o.chat_system, "sys");
    util::atomic_write_file(dir.path() / "bad.yaml", "qwen_math: no placeholder\n");
    test::expect_contains(test::error_of<util::ConfigError>(
                              [&] { config::load<ChatTemplateOptions>(dir.path() / "bad.yaml"); }),
                          {"bad.yaml", "template 'qwen_math' has no {prompt} placeholder"});
    util::atomic_write_file(dir.path() / "typo.yaml", "r1_zer: x\n");
    test::expect_contains(test::error_of<util::ConfigError>(
                              [&] { config::load<ChatTemplateOptions>(dir.path() / "typo.yaml"); }),
                          {"typo.yaml:1", "did you mean 'r1_zero'"});
}

TEST(ChatTemplateTest, RenderedControlTokensEncodeAsSpecials) {
    const Tokenizer tok = Tokenizer::bytes({"<|im_start|>", "<|im_end|>"});
    const auto ids = tok.encode(ChatTemplate(Template::chat, {}).render("hi"));
    EXPECT_EQ(ids.front(), 256);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), 257), 1);
    EXPECT_EQ(ids.size(), 1 + 4 + 1 + 2 + 1 + 1 + 1 + 9 + 1);  // <s>user\n hi <e>\n <s>assistant\n
}

}  // namespace
}  // namespace r1::tokenizer

namespace r1::tokenizer {
namespace {

std::string render_jinja(const std::string& source,
                         const std::vector<Message>& messages,
                         bool open) {
    ChatInput input{.add_generation_prompt = open};
    for (const auto& m : messages) {
        input.messages.push_back({{"role", m.role}, {"content", m.content}});
    }
    return JinjaTemplate(source, "to_jinja").render(chat_context(input));
}

// A model trained with a built-in template carries it as chat_template.jinja: written as Jinja,
// each renders what the built-in renders (quotes, backslashes and newlines in the texts included).
TEST(ChatTemplateTest, BuiltinsWrittenAsJinjaRenderTheSame) {
    const ChatTemplateOptions texts{.r1_zero = "User: {prompt}\nAssistant: 'it''s' \\ {x}",
                                    .chat_system = "Be brief.\t"};
    const std::vector<Message> chat = {
        {"user", "héllo {prompt}"}, {"assistant", "a\\b"}, {"user", "it's\nme"}};
    for (const Template kind : {Template::r1_zero, Template::qwen_math, Template::plain}) {
        for (const bool think : {false, true}) {
            const ChatTemplate t(kind, texts, think);
            EXPECT_EQ(render_jinja(t.to_jinja(), {{"user", "2 + 2 = '?'\n"}}, true),
                      t.render("2 + 2 = '?'\n"))
                << t.to_jinja();
        }
    }
    for (const bool think : {false, true}) {
        for (const auto& system : {std::string(), std::string("sys")}) {
            auto options = texts;
            options.chat_system = system;
            const ChatTemplate t(Template::chat, options, think);
            for (const bool open : {false, true}) {
                EXPECT_EQ(render_jinja(t.to_jinja(), chat, open), t.render(chat, open))
                    << t.to_jinja();
            }
        }
    }
}

TEST(ChatTemplateTest, ModelTemplateRendersTheDirectorysJinja) {
    const JinjaTemplate jinja(
        "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}"
        "{% if add_generation_prompt %}[assistant]{% endif %}",
        "dir/chat_template.jinja");
    const ChatTemplate t(Template::model, {}, false,
                         ModelTemplate{jinja, nlohmann::ordered_json{{"bos_token", "<s>"}}});
    EXPECT_EQ(t.render("hi"), "<s>[user]hi[assistant]");
    EXPECT_EQ(t.render({{"user", "a"}, {"assistant", "b"}}, false), "<s>[user]a[assistant]b");
    EXPECT_EQ(t.to_jinja(), jinja.source());
    test::expect_contains(
        test::error_of<util::ConfigError>([] { ChatTemplate(Template::model, {}); }),
        {"template 'model'", "no chat template"});
}

}  // namespace
}  // namespace r1::tokenizer
