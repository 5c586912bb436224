using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Dns.Names;
using Netstack.Dns.Upstream;
using Netstack.Dns.Wire;

namespace Netstack.Dns.Resolver;

/// <summary>
/// The resolver of one sandbox: answers A, AAAA and PTR for container names from an
/// <see cref="IDnsNameSource"/>, forwards everything else upstream (unless the sandbox is internal),
/// and answers malformed queries FORMERR or not at all. Transport-free: <see cref="DnsServer"/>
/// (or a test) feeds it bytes.
/// </summary>
public sealed class EmbeddedResolver
{
    private readonly EmbeddedResolverOptions _options;
    private readonly IDnsNameSource _names;
    private readonly UpstreamForwarder _forwarder;
    private readonly DnsAsker _asker;
    private readonly ILogger _logger;
    private int _forwardsInFlight;

    public EmbeddedResolver(
        EmbeddedResolverOptions options,
        IDnsNameSource names,
        IUpstreamSocketFactory? upstreamSockets = null,
        TimeProvider? timeProvider = null,
        ILogger<EmbeddedResolver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(names);
        options.Validate();
        _options = options;
        _names = names;
        _asker = new DnsAsker(options.SandboxId);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _forwarder = new UpstreamForwarder(
            options.UpstreamServers,
            options.UpstreamTimeout,
            upstreamSockets ?? CurrentNamespaceSocketFactory.Instance,
            timeProvider ?? TimeProvider.System,
            _logger);
    }

    public EmbeddedResolverOptions Options => _options;

    internal ILogger Logger => _logger;

    /// <summary>
    /// Answers one query message. Returns the response length in <paramref name="response"/>
    /// (at least 64 KiB to be safe), or 0 when nothing should be sent back.
    /// </summary>
    public async ValueTask<int> ResolveAsync(ReadOnlyMemory<byte> query, Memory<byte> response, bool overTcp, CancellationToken cancellationToken = default)
    {
        var disposition = AnswerLocally(query.Span, response.Span, overTcp, out var length, out var parsed);
        return disposition switch
        {
            DnsDisposition.Answer => length,
            DnsDisposition.Forward => await ForwardAsync(query, parsed, response, overTcp, cancellationToken).ConfigureAwait(false),
            _ => 0,
        };
    }

    /// <summary>
    /// The synchronous part: parse, policy, local names. On <see cref="DnsDisposition.Forward"/> the
    /// caller runs <see cref="ForwardAsync"/> with <paramref name="parsed"/> (off its receive loop).
    /// </summary>
    internal DnsDisposition AnswerLocally(ReadOnlySpan<byte> query, Span<byte> response, bool overTcp, out int length, out DnsQuery parsed)
    {
        length = 0;
        parsed = default;
        if (query.Length < DnsHeader.Size || (query[2] & 0x80) != 0)
        {
            // Too short to echo an ID, or a response: answering a response could start a loop.
            return DnsDisposition.Drop;
        }

        try
        {
            parsed = DnsQuery.Parse(query);
        }
        catch (DnsFormatException e)
        {
            Log.Malformed(_logger, overTcp ? "tcp" : "udp", e.Message);
            length = DnsResponses.WriteError(query, null, DnsResponseCode.FormatError, response);
            return DnsDisposition.Answer;
        }

        if (parsed.Header.Opcode != DnsOpcode.Query)
        {
            length = DnsResponses.WriteError(query, parsed, DnsResponseCode.NotImplemented, response);
            return DnsDisposition.Answer;
        }

        if (parsed.Header.QuestionCount != 1)
        {
            // RFC 9619: a QUERY carries exactly one question.
            length = DnsResponses.WriteError(query, parsed, DnsResponseCode.FormatError, response);
            return DnsDisposition.Answer;
        }

        if (parsed.Class == DnsClass.Internet)
        {
            switch (parsed.Type)
            {
                case DnsRecordType.A:
                case DnsRecordType.AAAA:
                    if (TryAnswerAddress(query, parsed, response, overTcp, out length))
                    {
                        return DnsDisposition.Answer;
                    }

                    break;
                case DnsRecordType.PTR:
                    if (TryAnswerPointer(query, parsed, response, overTcp, out length))
                    {
                        return DnsDisposition.Answer;
                    }

                    break;
            }
        }

        if (!_options.ForwardExternal || !_forwarder.HasServers)
        {
            length = DnsResponses.WriteError(query, parsed, DnsResponseCode.ServerFailure, response);
            return DnsDisposition.Answer;
        }

        return DnsDisposition.Forward;
    }

    /// <summary>Forwards upstream; returns the response length, or 0 to drop when too many forwards are in flight.</summary>
    internal async ValueTask<int> ForwardAsync(ReadOnlyMemory<byte> query, DnsQuery parsed, Memory<byte> response, bool overTcp, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _forwardsInFlight) > _options.MaxConcurrentForwards)
        {
            Interlocked.Decrement(ref _forwardsInFlight);
            Log.TooManyForwards(_logger, _options.MaxConcurrentForwards, _options.SandboxId);
            return 0;
        }

        try
        {
            return await _forwarder.ForwardAsync(query, parsed, response, overTcp, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _forwardsInFlight);
        }
    }

    private bool TryAnswerAddress(ReadOnlySpan<byte> query, in DnsQuery parsed, Span<byte> response, bool overTcp, out int length)
    {
        length = 0;
        var name = DnsName.ToLowerAscii(parsed.Name);
        if (name.Length == 0 || !_names.TryLookupName(_asker, name, out var addresses))
        {
            return false;
        }

        var family = parsed.Type == DnsRecordType.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var size = parsed.Type == DnsRecordType.A ? 4 : 16;
        var count = 0;
        Span<int> picked = addresses.Count <= 256 ? stackalloc int[addresses.Count] : new int[addresses.Count];
        for (var i = 0; i < addresses.Count; i++)
        {
            if (addresses[i].AddressFamily == family)
            {
                picked[count++] = i;
            }
        }

        // Several containers under one name: a random order spreads clients over them, as Docker does.
        if (count > 1)
        {
            Random.Shared.Shuffle(picked[..count]);
        }

        var limit = DnsResponses.MaxResponseSize(parsed, overTcp) - (parsed.HasEdns ? DnsResponses.OptLength : 0);
        var position = DnsResponses.WriteQuestion(query, parsed, response);
        ushort written = 0;
        var truncated = false;
        foreach (var index in picked[..count])
        {
            // Owner is a pointer to the question's name at byte 12 (0xc00c); then type, class, TTL, RDLENGTH, address.
            var recordLength = 2 + 10 + size;
            if (position + recordLength > limit)
            {
                truncated = true;
                break;
            }

            position += WriteRecordHeader(response[position..], parsed.Type, (ushort)size);
            addresses[index].TryWriteBytes(response[position..], out _);
            position += size;
            written++;
        }

        if (parsed.HasEdns)
        {
            position += DnsResponses.WriteOpt(response[position..]);
        }

        DnsResponses.WriteAnswerHeader(parsed, response, written, truncated, parsed.HasEdns);
        length = position;
        return true;
    }

    private bool TryAnswerPointer(ReadOnlySpan<byte> query, in DnsQuery parsed, Span<byte> response, bool overTcp, out int length)
    {
        length = 0;
        var name = DnsName.ToLowerAscii(parsed.Name);
        if (!ReverseName.TryParse(name, out var address) || !_names.TryLookupAddress(_asker, address!, out var names) || names.Count == 0)
        {
            return false;
        }

        var limit = DnsResponses.MaxResponseSize(parsed, overTcp) - (parsed.HasEdns ? DnsResponses.OptLength : 0);
        var position = DnsResponses.WriteQuestion(query, parsed, response);
        ushort written = 0;
        var truncated = false;
        Span<byte> wire = stackalloc byte[DnsName.MaxWireLength];
        foreach (var target in names)
        {
            var wireLength = DnsName.Encode(target, wire, "PTR target");
            if (position + 12 + wireLength > limit)
            {
                truncated = true;
                break;
            }

            position += WriteRecordHeader(response[position..], DnsRecordType.PTR, (ushort)wireLength);
            wire[..wireLength].CopyTo(response[position..]);
            position += wireLength;
            written++;
        }

        if (parsed.HasEdns)
        {
            position += DnsResponses.WriteOpt(response[position..]);
        }

        DnsResponses.WriteAnswerHeader(parsed, response, written, truncated, parsed.HasEdns);
        length = position;
        return true;
    }

    private int WriteRecordHeader(Span<byte> destination, DnsRecordType type, ushort rdLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, 0xC000 | DnsHeader.Size);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], DnsClass.Internet);
        BinaryPrimitives.WriteUInt32BigEndian(destination[6..], _options.Ttl);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], rdLength);
        return 12;
    }
}
