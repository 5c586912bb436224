namespace Netstack.Daemon.Http;

/// <summary>
/// The key sequence that detaches a client from an attached container's stdin, in Docker's
/// notation (<c>ctrl-p,ctrl-q</c>, the default; a list of <c>ctrl-X</c> and single characters).
/// </summary>
internal sealed class DetachKeys
{
    public const string Default = "ctrl-p,ctrl-q";

    private DetachKeys(byte[] sequence) => Sequence = sequence;

    public byte[] Sequence { get; }

    /// <summary>Parses <paramref name="text"/> (null or empty: the default); a bad one is a 400 naming <paramref name="field"/>.</summary>
    public static DetachKeys Parse(string? text, string field = "detachKeys")
    {
        if (string.IsNullOrEmpty(text))
        {
            text = Default;
        }
        var keys = new List<byte>();
        foreach (var part in text.Split(','))
        {
            if (part.Length == 1 && part[0] < 0x80)
            {
                keys.Add((byte)part[0]);
                continue;
            }
            if (part.Length == 6 && part.StartsWith("ctrl-", StringComparison.Ordinal) && Control(part[5]) is { } code)
            {
                keys.Add(code);
                continue;
            }
            throw ApiError.BadRequest($"{field}: invalid detach key \"{part}\" in \"{text}\": use ctrl-a to ctrl-z, ctrl-@, ctrl-[, ctrl-\\, ctrl-], ctrl-^, ctrl-_ or a single character, separated by commas");
        }
        return new DetachKeys([.. keys]);
    }

    // ctrl-a is 1 ... ctrl-z is 26; ctrl-@ 0, ctrl-[ 27, ctrl-\ 28, ctrl-] 29, ctrl-^ 30, ctrl-_ 31 (ASCII's control block).
    private static byte? Control(char c) => c switch
    {
        >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
        '@' => 0,
        '[' => 27,
        '\\' => 28,
        ']' => 29,
        '^' => 30,
        '_' => 31,
        _ => null,
    };

    /// <summary>A scanner over one client's input: bytes that belong to a partial match are held back until it breaks.</summary>
    public Scanner NewScanner() => new(Sequence);

    internal sealed class Scanner(byte[] sequence)
    {
        private int _matched;

        /// <summary>The bytes to pass on, and whether the whole sequence has been typed (nothing after it is passed on).</summary>
        public (byte[] Forward, bool Detached) Feed(ReadOnlySpan<byte> input)
        {
            var forward = new List<byte>(input.Length);
            foreach (var b in input)
            {
                if (b == sequence[_matched])
                {
                    _matched++;
                    if (_matched == sequence.Length)
                    {
                        _matched = 0;
                        return ([.. forward], true);
                    }
                    continue;
                }
                // The partial match was ordinary input after all.
                for (var i = 0; i < _matched; i++)
                {
                    forward.Add(sequence[i]);
                }
                _matched = 0;
                if (b == sequence[0])
                {
                    _matched = 1;
                    continue;
                }
                forward.Add(b);
            }
            return ([.. forward], false);
        }
    }
}
