using System.Buffers.Binary;
using System.Text;
using Netstack.Linux.Netfilter.Wire;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux.Netfilter;

/// <summary>
/// One rule of a chain as the kernel holds it: its expressions as encoded (NFTA_RULE_EXPRESSIONS,
/// written back as they are when the rule is written again) and its comment (the userdata
/// libnftnl writes, which <c>nft list</c> shows as <c>comment "..."</c>). <see cref="Key"/>
/// compares rules by what they do, whatever the attribute order or nesting flags.
/// </summary>
public sealed class NftRule
{
    private NftRule(byte[] expressions, string? comment)
    {
        Expressions = expressions;
        Comment = comment;
        Key = Canonical(expressions) + "#" + comment;
    }

    /// <summary>The body of NFTA_RULE_EXPRESSIONS: a list of NFTA_LIST_ELEM.</summary>
    public byte[] Expressions { get; }

    public string? Comment { get; }

    /// <summary>The expressions in a canonical text (attributes sorted, values in hex) plus the comment.</summary>
    public string Key { get; }

    /// <summary>A rule of <paramref name="expressions"/> with <paramref name="comment"/>.</summary>
    public static NftRule Of(IReadOnlyList<NftExpression> expressions, string? comment)
    {
        ArgumentNullException.ThrowIfNull(expressions);
        var buffer = new byte[4096];
        while (true)
        {
            try
            {
                var writer = new NetlinkWriter(buffer);
                foreach (var expression in expressions)
                {
                    expression.Encode(ref writer);
                }
                return new NftRule(writer.Written.ToArray(), comment);
            }
            catch (InvalidOperationException) when (buffer.Length < 1 << 20)
            {
                buffer = new byte[buffer.Length * 4];
            }
        }
    }

    internal static NftRule FromKernel(ReadOnlySpan<byte> expressions, ReadOnlySpan<byte> userdata) =>
        new(expressions.ToArray(), CommentOf(userdata));

    /// <summary>The userdata TLVs carrying <see cref="Comment"/>, as libnftnl lays them out.</summary>
    internal byte[] Userdata()
    {
        if (Comment is null)
        {
            return [];
        }
        var text = Encoding.UTF8.GetBytes(Comment);
        if (text.Length > 254)
        {
            throw new ArgumentException($"nftables rule comment \"{Comment}\" is longer than 254 bytes");
        }
        var data = new byte[2 + text.Length + 1];
        data[0] = Nft.UDATA_RULE_COMMENT;
        data[1] = (byte)(text.Length + 1);
        text.CopyTo(data, 2);
        return data;
    }

    private static string? CommentOf(ReadOnlySpan<byte> userdata)
    {
        while (userdata.Length >= 2)
        {
            var type = userdata[0];
            var length = userdata[1];
            if (2 + length > userdata.Length)
            {
                break;
            }
            if (type == Nft.UDATA_RULE_COMMENT)
            {
                return AttributeValue.String(userdata.Slice(2, length));
            }
            userdata = userdata[(2 + length)..];
        }
        return null;
    }

    public override string ToString() => Key;

    // Which attributes of an expression's data hold nested data (struct nft_data: a value or a verdict).
    private static bool IsDataAttribute(string expression, ushort type) => (expression, type) switch
    {
        ("cmp", Nft.NFTA_CMP_DATA) => true,
        ("bitwise", Nft.NFTA_BITWISE_MASK or Nft.NFTA_BITWISE_XOR) => true,
        ("immediate", Nft.NFTA_IMMEDIATE_DATA) => true,
        _ => false,
    };

    internal static string Canonical(ReadOnlySpan<byte> expressions)
    {
        var text = new StringBuilder();
        var elements = new AttributeReader(expressions);
        while (elements.TryRead(out _, out var element))
        {
            string? name = null;
            var data = ReadOnlySpan<byte>.Empty;
            var parts = new AttributeReader(element);
            while (parts.TryRead(out var type, out var value))
            {
                if (type == Nft.NFTA_EXPR_NAME)
                {
                    name = AttributeValue.String(value);
                }
                else if (type == Nft.NFTA_EXPR_DATA)
                {
                    data = value;
                }
            }
            name ??= "?";
            var attributes = new List<(ushort Type, string Text)>();
            var reader = new AttributeReader(data);
            while (reader.TryRead(out var type, out var value))
            {
                attributes.Add((type, IsDataAttribute(name, type) ? DataText(value) : Convert.ToHexString(value)));
            }
            text.Append(name).Append('{');
            text.AppendJoin(',', attributes.OrderBy(a => a.Type).Select(a => $"{a.Type}={a.Text}"));
            text.Append('}');
        }
        return text.ToString();
    }

    private static string DataText(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder();
        var reader = new AttributeReader(data);
        while (reader.TryRead(out var type, out var value))
        {
            if (type == Nft.NFTA_DATA_VALUE)
            {
                text.Append("value:").Append(Convert.ToHexString(value));
            }
            else if (type == Nft.NFTA_DATA_VERDICT)
            {
                var verdict = new AttributeReader(value);
                var fields = new List<string>();
                while (verdict.TryRead(out var vt, out var vv))
                {
                    fields.Add(vt == Nft.NFTA_VERDICT_CHAIN ? $"chain:{AttributeValue.String(vv)}" : $"{vt}:{Convert.ToHexString(vv)}");
                }
                text.Append("verdict:").AppendJoin('/', fields.Order(StringComparer.Ordinal));
            }
        }
        return text.ToString();
    }

    internal static int Be32(ReadOnlySpan<byte> value) => value.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(value) : 0;
}
