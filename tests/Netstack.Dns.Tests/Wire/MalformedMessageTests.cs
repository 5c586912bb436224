using Netstack.Dns.Wire;
using Xunit;

namespace Netstack.Dns.Tests.Wire;

public class MalformedMessageTests
{
    private const string Header1Question = "abcd01000001000000000000";

    [Fact]
    public void Parse_ElevenBytes_IsShortHeader()
    {
        Assert.Equal(DnsFormatError.ShortHeader, Fail(new byte[11]).Error);
    }

    [Fact]
    public void Parse_PointerToItself_IsBadPointer()
    {
        // The question name at 12 is a pointer to 12.
        Assert.Equal(DnsFormatError.BadPointer, Fail(Header1Question + "c00c00010001").Error);
    }

    [Fact]
    public void Parse_PointerLoopThroughALabel_IsBadPointer()
    {
        // At 12: label "a", then a pointer back to 12: backwards from the pointer, but into its own name.
        Assert.Equal(DnsFormatError.BadPointer, Fail(Header1Question + "0161c00c00010001").Error);
    }

    [Fact]
    public void Parse_ForwardPointer_IsBadPointer()
    {
        // The name points to byte 20, after itself, where a valid name sits.
        Assert.Equal(DnsFormatError.BadPointer, Fail(Header1Question + "c014000100010000" + "016100").Error);
    }

    [Fact]
    public void Parse_TwoPointersLoopingBetweenRecords_IsBadPointer()
    {
        // Question name "a" + pointer to the answer's name, which points back to the question: a loop
        // of two jumps where the second goes backwards but not before the run it started from.
        var hex = "abcd81000001000100000000" + "0161c01b" + "00010001" + "c00e" + "000100010000000000040a000001";
        Assert.Equal(DnsFormatError.BadPointer, Fail(hex).Error);
    }

    [Fact]
    public void Parse_LabelPastTheEnd_IsPastEnd()
    {
        Assert.Equal(DnsFormatError.PastEnd, Fail(Header1Question + "0561").Error);
    }

    [Fact]
    public void Parse_LengthByte64_IsBadLabel()
    {
        // 0x40 is the obsolete extended label type (RFC 6891 5), rejected as a label.
        Assert.Equal(DnsFormatError.BadLabel, Fail(Header1Question + "40" + new string('6', 128) + "0000010001").Error);
    }

    [Fact]
    public void Parse_NameOver255Bytes_IsNameTooLong()
    {
        var labels = string.Concat(Enumerable.Repeat("3f" + new string('7', 126), 5));
        Assert.Equal(DnsFormatError.NameTooLong, Fail(Header1Question + labels + "0000010001").Error);
    }

    [Fact]
    public void Parse_HugeQuestionCount_IsPastEndBeforeAnyWork()
    {
        var error = Fail("abcdffff" + "ffff" + "ffffffffffff" + "0000010001");

        Assert.Equal(DnsFormatError.PastEnd, error.Error);
        Assert.Contains("QDCOUNT 65535", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AnswerCountLargerThanData_IsPastEnd()
    {
        Assert.Equal(DnsFormatError.PastEnd, Fail("abcd81000001000200000000" + "0161000001" + "0001" + "c00c000100010000000000040a000001").Error);
    }

    [Fact]
    public void Parse_RdLengthPastTheEnd_IsPastEnd()
    {
        Assert.Equal(DnsFormatError.PastEnd, Fail("abcd81000001000100000000" + "016100" + "00010001" + "c00c000100010000000000400a000001").Error);
    }

    [Fact]
    public void Parse_ARecordWithFiveBytes_IsBadRecordData()
    {
        Assert.Equal(DnsFormatError.BadRecordData, Fail("abcd81000001000100000000" + "016100" + "00010001" + "c00c000100010000000000050a00000101").Error);
    }

    [Fact]
    public void Parse_CnameWhoseNameOverrunsRdLength_IsRejected()
    {
        // RDLENGTH 2 but the name inside is "ab" + root (4 bytes).
        var error = Fail("abcd81000001000100000000" + "016100" + "00010001" + "c00c00050001000000000002" + "02616200");

        Assert.True(error.Error is DnsFormatError.PastEnd or DnsFormatError.BadRecordData, error.Error.ToString());
    }

    [Fact]
    public void Parse_TrailingBytes_IsTrailingData()
    {
        Assert.Equal(DnsFormatError.TrailingData, Fail(Header1Question + "01610000010001" + "ff").Error);
    }

    [Fact]
    public void Parse_ErrorMessage_NamesTheFieldAndOffset()
    {
        var error = Fail(Header1Question + "0561000000");

        Assert.Contains("question 1 of 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(12, error.Offset);
    }

    private static DnsFormatException Fail(string hex) => Fail(Convert.FromHexString(hex));

    private static DnsFormatException Fail(byte[] bytes) => Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(bytes));
}
