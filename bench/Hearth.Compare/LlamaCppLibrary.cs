using System.Runtime.InteropServices;

namespace Hearth.Compare;

/// <summary>
/// The prebuilt llama.cpp of the npm package @node-llama-cpp/linux-x64 (llama.cpp 2026-09-12, commit 80fb11a), bound
/// by hand from its <c>include/llama.h</c>: only the calls a llama-bench style measurement needs. The structs mirror
/// that header's field order exactly (x86-64 System V layout); booleans are bytes so every struct stays blittable.
/// </summary>
internal sealed unsafe class LlamaCppLibrary
{
    private readonly nint _llama;
    private readonly nint _ggml;

    private LlamaCppLibrary(string dir)
    {
        Directory = dir;
        _ggml = NativeLibrary.Load(Path.Combine(dir, "libggml.v0.4.0.so"));
        _llama = NativeLibrary.Load(Path.Combine(dir, "libllama.v0.4.0.so"));
        LoadAllFromPath = (delegate* unmanaged<byte*, void>)NativeLibrary.GetExport(_ggml, "ggml_backend_load_all_from_path");
        LoadBackend = (delegate* unmanaged<byte*, nint>)NativeLibrary.GetExport(_ggml, "ggml_backend_load");
        BackendInit = (delegate* unmanaged<void>)Export("llama_backend_init");
        LogSet = (delegate* unmanaged<nint, nint, void>)Export("llama_log_set");
        ModelDefaultParams = (delegate* unmanaged<ModelParams>)Export("llama_model_default_params");
        ContextDefaultParams = (delegate* unmanaged<ContextParams>)Export("llama_context_default_params");
        ModelLoadFromFile = (delegate* unmanaged<byte*, ModelParams, nint>)Export("llama_model_load_from_file");
        InitFromModel = (delegate* unmanaged<nint, ContextParams, nint>)Export("llama_init_from_model");
        ModelGetVocab = (delegate* unmanaged<nint, nint>)Export("llama_model_get_vocab");
        VocabNTokens = (delegate* unmanaged<nint, int>)Export("llama_vocab_n_tokens");
        BatchInit = (delegate* unmanaged<int, int, int, Batch>)Export("llama_batch_init");
        BatchFree = (delegate* unmanaged<Batch, void>)Export("llama_batch_free");
        Decode = (delegate* unmanaged<nint, Batch, int>)Export("llama_decode");
        GetMemory = (delegate* unmanaged<nint, nint>)Export("llama_get_memory");
        MemoryClear = (delegate* unmanaged<nint, byte, void>)Export("llama_memory_clear");
        Synchronize = (delegate* unmanaged<nint, void>)Export("llama_synchronize");
        Free = (delegate* unmanaged<nint, void>)Export("llama_free");
        ModelFree = (delegate* unmanaged<nint, void>)Export("llama_model_free");
    }

    public string Directory { get; }

    public delegate* unmanaged<byte*, void> LoadAllFromPath { get; }

    public delegate* unmanaged<byte*, nint> LoadBackend { get; }

    public delegate* unmanaged<void> BackendInit { get; }

    public delegate* unmanaged<nint, nint, void> LogSet { get; }

    public delegate* unmanaged<ModelParams> ModelDefaultParams { get; }

    public delegate* unmanaged<ContextParams> ContextDefaultParams { get; }

    public delegate* unmanaged<byte*, ModelParams, nint> ModelLoadFromFile { get; }

    public delegate* unmanaged<nint, ContextParams, nint> InitFromModel { get; }

    public delegate* unmanaged<nint, nint> ModelGetVocab { get; }

    public delegate* unmanaged<nint, int> VocabNTokens { get; }

    public delegate* unmanaged<int, int, int, Batch> BatchInit { get; }

    public delegate* unmanaged<Batch, void> BatchFree { get; }

    public delegate* unmanaged<nint, Batch, int> Decode { get; }

    public delegate* unmanaged<nint, nint> GetMemory { get; }

    public delegate* unmanaged<nint, byte, void> MemoryClear { get; }

    public delegate* unmanaged<nint, void> Synchronize { get; }

    public delegate* unmanaged<nint, void> Free { get; }

    public delegate* unmanaged<nint, void> ModelFree { get; }

    /// <summary>
    /// Loads the libraries in <paramref name="dir"/> and the CPU backend: <c>best</c> lets ggml score every
    /// <c>libggml-cpu-*.so</c> there and load the fastest this CPU runs (what llama.cpp itself does); any other name
    /// loads exactly <c>libggml-cpu-NAME.so</c> (e.g. <c>alderlake</c>: AVX2 + AVX-VNNI, no AVX-512).
    /// </summary>
    public static LlamaCppLibrary Open(string dir, string variant)
    {
        var lib = new LlamaCppLibrary(dir);
        lib.LogSet((nint)(delegate* unmanaged<int, byte*, nint, void>)&Silent, 0);
        if (variant == "best")
        {
            fixed (byte* p = Utf8(dir)) lib.LoadAllFromPath(p);
        }
        else
        {
            string file = Path.Combine(dir, $"libggml-cpu-{variant}.so");
            if (!File.Exists(file)) throw new FileNotFoundException($"No CPU variant '{variant}' in {dir}.", file);
            fixed (byte* p = Utf8(file))
            {
                if (lib.LoadBackend(p) == 0) throw new PlatformNotSupportedException($"this CPU lacks instructions the {variant} build needs");
            }
        }
        lib.BackendInit();
        return lib;
    }

    /// <summary>The ggml CPU variant mapped into this process (read from /proc/self/maps), e.g. "sapphirerapids".</summary>
    public static string LoadedCpuVariant()
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int i = line.IndexOf("libggml-cpu-", StringComparison.Ordinal);
            if (i < 0) continue;
            string name = line[(i + "libggml-cpu-".Length)..];
            return name.EndsWith(".so", StringComparison.Ordinal) ? name[..^3] : name;
        }
        return "none";
    }

    public static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s + "\0");

    private nint Export(string name) => NativeLibrary.GetExport(_llama, name);

    [UnmanagedCallersOnly]
    private static void Silent(int level, byte* text, nint user)
    {
    }

    /// <summary><c>struct llama_model_params</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ModelParams
    {
        public nint Devices;
        public nint TensorBuftOverrides;
        public int NGpuLayers;
        public int SplitMode;
        public int LoadMode;
        public int LazyMode;
        public int MainGpu;
        public nint TensorSplit;
        public nint ProgressCallback;
        public nint ProgressCallbackUserData;
        public nint KvOverrides;
        public byte VocabOnly;
        public byte CheckTensors;
        public byte UseExtraBufts;
        public byte NoHost;
        public byte NoAlloc;
        public byte LoadMtp;
    }

    /// <summary><c>struct llama_context_params</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ContextParams
    {
        public uint NCtx;
        public uint NBatch;
        public uint NUbatch;
        public uint NSeqMax;
        public uint NRsSeq;
        public uint NOutputsMax;
        public uint NOutputsMaxPerSeq;
        public int NThreads;
        public int NThreadsBatch;
        public int ContextType;
        public int RopeScalingType;
        public int PoolingType;
        public int AttentionType;
        public int FlashAttnType;
        public float RopeFreqBase;
        public float RopeFreqScale;
        public float YarnExtFactor;
        public float YarnAttnFactor;
        public float YarnBetaFast;
        public float YarnBetaSlow;
        public uint YarnOrigCtx;
        public float DefragThold;
        public nint CbEval;
        public nint CbEvalUserData;
        public int TypeK;
        public int TypeV;
        public nint AbortCallback;
        public nint AbortCallbackData;
        public byte Embeddings;
        public byte OffloadKqv;
        public byte NoPerf;
        public byte OpOffload;
        public byte SwaFull;
        public byte KvUnified;
        public nint Samplers;
        public nuint NSamplers;
        public nint ContextOther;
    }

    /// <summary><c>struct llama_batch</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Batch
    {
        public int NTokens;
        public int* Token;
        public float* Embd;
        public int* Pos;
        public int* NSeqId;
        public int** SeqId;
        public sbyte* Logits;
    }
}
