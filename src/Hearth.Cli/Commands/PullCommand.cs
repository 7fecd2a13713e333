using System.CommandLine;
using Hearth.Hub;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth pull ORG/REPO[:QUANT]</c> (or a https://huggingface.co/ORG/REPO/resolve/REV/FILE URL): downloads the
/// model into the Hugging Face hub cache (HEARTH_MODELS, HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub),
/// every part of a split file, resuming and verifying; prints where it is.
/// </summary>
internal static class PullCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("model") { Description = "ORG/REPO[:QUANT] (quantization tag, default Q4_K_M, then Q8_0, then the first GGUF) or a file URL" };
        var cmd = new Command("pull", "Download a GGUF model from Hugging Face (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE honoured).") { name };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string text = parse.GetValue(name)!;
            if (!ModelReference.TryParse(text, out var reference))
            {
                throw new ArgumentException($"'{text}' is not a Hugging Face model: use ORG/REPO[:QUANT] (e.g. unsloth/Qwen3-0.6B-GGUF:Q4_K_M) or a https://huggingface.co/ORG/REPO/resolve/main/FILE.gguf URL.");
            }
            var settings = HubSettings.FromEnvironment();
            var model = ModelSource.Pull(reference, settings, toStdout: true);
            ModelSource.MarkUsed(settings, model);
            string parts = model.Files.Count > 1 ? $" ({model.Files.Count} parts)" : string.Empty;
            Console.WriteLine($"{model.Display}: {Units.Bytes(model.Size)}{parts} at {model.EntryPath}");
            return 0;
        }));
        return cmd;
    }
}
