using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hearth.Chat;
using Hearth.Gguf;
using Hearth.Tokenization;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth template</c>: render a model's (or a file's) chat template for a conversation, printing exactly the text
/// the model would receive (no newline added). <c>--json</c> prints <c>{"text": ...}</c>, plus <c>"tokens"</c> (the
/// rendered text tokenized with special tokens parsed and nothing added) when a model is given and its tokenizer is supported.
/// </summary>
internal static class TemplateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model whose tokenizer.chat_template to render (ChatML if it has none)" };
        var templateFile = new Option<string>("--template") { Description = "Jinja chat template file to render instead of a model's" };
        var context = new Option<string>("--context") { Description = "JSON object of template variables (messages, add_generation_prompt, bos_token, eos_token, tools, ...)" };
        var messages = new Option<string>("--messages") { Description = "JSON array of messages ({\"role\":..., \"content\":...})" };
        var tools = new Option<string>("--tools") { Description = "JSON array of tool definitions (with --messages)" };
        var addGen = new Option<bool>("--add-generation-prompt") { Description = "End with the assistant header (with --messages)" };
        var bos = new Option<string>("--bos-token") { Description = "bos_token text (default: the model's BOS token, else empty)" };
        var eos = new Option<string>("--eos-token") { Description = "eos_token text (default: the model's EOS token, else empty)" };
        var llamaCpp = new Option<bool>("--llama-cpp") { Description = "Apply llama.cpp's polyfills and strip one leading BOS / trailing EOS, as its Jinja path does" };
        var date = new Option<string>("--date") { Description = "Date strftime_now formats, YYYY-MM-DD (default: today)" };
        var json = new Option<bool>("--json") { Description = "Print {\"text\": ..., \"tokens\": [...]} instead of the raw text" };
        var noPull = ModelSource.NoPullOption();
        var cmd = new Command("template", "Render a model's chat template for a conversation: exactly what the model receives.")
        {
            model, templateFile, context, messages, tools, addGen, bos, eos, llamaCpp, date, json, noPull,
        };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string? modelPath = parse.GetValue(model), templatePath = parse.GetValue(templateFile);
            string? contextPath = parse.GetValue(context), messagesPath = parse.GetValue(messages);
            if ((modelPath == null) == (templatePath == null))
                throw new ArgumentException("give exactly one of -m MODEL or --template FILE.jinja");
            if ((contextPath == null) == (messagesPath == null))
                throw new ArgumentException("give exactly one of --context CONTEXT.json or --messages MESSAGES.json");
            if (contextPath != null && (parse.GetValue(tools) != null || parse.GetValue(addGen)))
                throw new ArgumentException("--tools and --add-generation-prompt go with --messages; put them in the --context file instead");

            using var gguf = modelPath != null ? GgufFile.Open(ModelSource.Resolve(modelPath, parse.GetValue(noPull))!) : null;
            try
            {
                var template = gguf != null ? ChatTemplate.FromGguf(gguf) : ChatTemplate.Parse(File.ReadAllText(templatePath!));
                var vars = contextPath != null ? ReadJson<JsonObject>(contextPath, "a JSON object of template variables")
                    : new JsonObject
                    {
                        ["messages"] = ReadJson<JsonArray>(messagesPath!, "a JSON array of messages"),
                        ["add_generation_prompt"] = parse.GetValue(addGen),
                    };
                if (parse.GetValue(tools) is { } toolsPath) vars["tools"] = ReadJson<JsonArray>(toolsPath, "a JSON array of tools");
                SetToken(vars, "bos_token", parse.GetValue(bos), gguf, "tokenizer.ggml.bos_token_id");
                SetToken(vars, "eos_token", parse.GetValue(eos), gguf, "tokenizer.ggml.eos_token_id");

                var options = new ChatTemplateOptions
                {
                    LlamaCppPolyfills = parse.GetValue(llamaCpp),
                    StripBosEos = parse.GetValue(llamaCpp),
                    Now = parse.GetValue(date) is { } d ? ParseDate(d) : null,
                };
                using var doc = JsonDocument.Parse(vars.ToJsonString());
                string text = template.Render(doc.RootElement, options);
                Console.Out.Write(parse.GetValue(json) ? ToJson(text, gguf) : text);
                Console.Out.Flush();
                return 0;
            }
            catch (JinjaException e)
            {
                Console.Error.WriteLine(e.RaisedByTemplate ? $"error: the template rejected the conversation: {e.Message}" : $"error: chat template: {e.Message}");
                return 1;
            }
        }));
        return cmd;
    }

    private static T ReadJson<T>(string path, string what) where T : JsonNode
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
        return node as T ?? throw new InvalidDataException($"{path} must hold {what}.");
    }

    /// <summary>An explicit flag wins, then the context file's value, then the model's token text.</summary>
    private static void SetToken(JsonObject vars, string name, string? flag, GgufFile? gguf, string idKey)
    {
        if (flag != null)
        {
            vars[name] = flag;
            return;
        }
        if (vars.ContainsKey(name)) return;
        string text = "";
        if (gguf?.GetInt64(idKey) is long id && gguf.GetArray<string>("tokenizer.ggml.tokens") is { } tokens && id >= 0 && id < tokens.Length)
            text = tokens[id];
        vars[name] = text;
    }

    private static DateTime ParseDate(string s) =>
        DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new ArgumentException($"--date must be YYYY-MM-DD, got '{s}'");

    private static string ToJson(string text, GgufFile? gguf)
    {
        var obj = new JsonObject { ["text"] = text };
        if (gguf != null)
        {
            try
            {
                var tokenizer = Tokenizer.FromGguf(gguf);
                var ids = new JsonArray();
                foreach (int id in tokenizer.Encode(text, addSpecial: false, parseSpecial: true)) ids.Add(id);
                obj["tokens"] = ids;
            }
            catch (NotSupportedException)
            {
                // The model's tokenizer is not supported yet: print the text alone.
            }
        }
        return obj.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
