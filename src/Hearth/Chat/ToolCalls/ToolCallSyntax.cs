namespace Hearth.Chat.ToolCalls;

/// <summary>
/// One model family's tool-call syntax, as pieces the streaming <see cref="ToolCallParser"/> drives:
/// where a tool-call section starts in content, the head of each call (up to the arguments' opening brace), and
/// what follows the arguments (the call's closing, then another call or the end of the section).
/// An instance holds per-reply state; the parser creates one per reply.
/// </summary>
internal abstract class ToolCallSyntax
{
    /// <summary>Finds the next section start at or after <paramref name="from"/>; <paramref name="atOutputStart"/> when nothing but whitespace came before.</summary>
    public abstract StartMatch FindStart(string s, int from, bool atOutputStart, bool final);

    /// <summary>Parses a call's head at <paramref name="p"/> (just past the start marker, or where <see cref="Footer"/> said the next call starts).</summary>
    public abstract HeadResult Head(string s, int p, bool final, bool firstInSection, int markerKind);

    /// <summary>
    /// Parses what follows a call's arguments at <paramref name="p"/>. <see cref="FootKind.More"/> at the end of the
    /// output counts as the end of the section: a close marker cut off by the end of generation is tolerated.
    /// </summary>
    public abstract FootResult Footer(string s, int p, bool final);

    /// <summary>Id for a call the model gave none for (Mistral's templates insist on 9 alphanumerics, others use <c>call_</c> ids).</summary>
    public virtual string NewId() => ToolCallIds.OpenAiStyle();
}

internal enum HeadKind
{
    More,
    Fail,

    /// <summary>Name known; arguments (a JSON object) start at <see cref="HeadResult.Position"/>.</summary>
    Arguments,

    /// <summary>A whole call parsed at once (e.g. Llama's <c>&lt;|python_tag|&gt;tool.call(k="v")</c>); resume content at <see cref="HeadResult.Position"/>.</summary>
    Whole,
}

internal readonly record struct HeadResult(HeadKind Kind, string Name = "", int Position = 0, string? Id = null, string? Arguments = null)
{
    public static HeadResult More { get; } = new(HeadKind.More);

    public static HeadResult Fail { get; } = new(HeadKind.Fail);

    public static HeadResult From(ScanStatus s) => s == ScanStatus.More ? More : Fail;
}

internal enum FootKind
{
    More,
    Fail,

    /// <summary>Another call of the same section starts at <see cref="FootResult.Position"/>.</summary>
    NextCall,

    /// <summary>The section ended; content resumes at <see cref="FootResult.Position"/>.</summary>
    EndSection,
}

internal readonly record struct FootResult(FootKind Kind, int Position = 0)
{
    public static FootResult More { get; } = new(FootKind.More);

    public static FootResult Fail { get; } = new(FootKind.Fail);

    public static FootResult From(ScanStatus s) => s == ScanStatus.More ? More : Fail;
}
