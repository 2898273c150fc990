package org.mmappickle.internal.pickle;

/**
 * The pickle opcodes of protocols 0 to 5, named exactly as in CPython's {@code pickletools}, with the
 * protocol that introduced each. Values are unsigned bytes.
 */
public final class Opcodes {
    private Opcodes() {
    }

    // ---- protocol 0 and 1 -------------------------------------------------------------------

    /** Push the special mark object on the stack. */
    public static final int MARK = '(';
    /** Every pickle ends with STOP: return the top of the stack. */
    public static final int STOP = '.';
    /** Discard the top of the stack (or the topmost mark when the stack above it is empty). */
    public static final int POP = '0';
    /** Discard the stack through the topmost mark. */
    public static final int POP_MARK = '1';
    /** Push a copy of the top of the stack. */
    public static final int DUP = '2';
    /** Push a float given as decimal text ending in a newline. */
    public static final int FLOAT = 'F';
    /** Push an int (or bool for "00"/"01") given as decimal text ending in a newline. */
    public static final int INT = 'I';
    /** Push a four-byte signed little-endian int. */
    public static final int BININT = 'J';
    /** Push a one-byte unsigned int. */
    public static final int BININT1 = 'K';
    /** Push a long given as decimal text, optionally ending in 'L', then a newline. */
    public static final int LONG = 'L';
    /** Push a two-byte unsigned little-endian int. */
    public static final int BININT2 = 'M';
    /** Push None. */
    public static final int NONE = 'N';
    /** Push a persistent object whose id is given as text (not supported). */
    public static final int PERSID = 'P';
    /** Push a persistent object whose id is popped from the stack (not supported). */
    public static final int BINPERSID = 'Q';
    /** Pop an argument tuple and a callable; push callable(*args). */
    public static final int REDUCE = 'R';
    /** Push a Python 2 str given as a quoted, escaped literal ending in a newline. */
    public static final int STRING = 'S';
    /** Push a Python 2 str with a four-byte signed length. */
    public static final int BINSTRING = 'T';
    /** Push a Python 2 str with a one-byte length. */
    public static final int SHORT_BINSTRING = 'U';
    /** Push a str given in raw-unicode-escape encoding, ending in a newline. */
    public static final int UNICODE = 'V';
    /** Push a str in UTF-8 with a four-byte unsigned length. */
    public static final int BINUNICODE = 'X';
    /** Pop an item and append it to the list below it. */
    public static final int APPEND = 'a';
    /** Pop a state and apply it to the object below it (__setstate__ or __dict__ update). */
    public static final int BUILD = 'b';
    /** Push the global module.name, both given as text lines. */
    public static final int GLOBAL = 'c';
    /** Build a dict from the key-value pairs above the topmost mark. */
    public static final int DICT = 'd';
    /** Push an empty dict. */
    public static final int EMPTY_DICT = '}';
    /** Pop the items above the topmost mark and append them to the list below the mark. */
    public static final int APPENDS = 'e';
    /** Push a memo entry whose index is given as decimal text. */
    public static final int GET = 'g';
    /** Push a memo entry whose index is a one-byte unsigned int. */
    public static final int BINGET = 'h';
    /** Build an instance of module.name (text lines) from the arguments above the topmost mark. */
    public static final int INST = 'i';
    /** Push a memo entry whose index is a four-byte unsigned int. */
    public static final int LONG_BINGET = 'j';
    /** Build a list from the items above the topmost mark. */
    public static final int LIST = 'l';
    /** Push an empty list. */
    public static final int EMPTY_LIST = ']';
    /** Build an instance of the class just above the topmost mark from the arguments after it. */
    public static final int OBJ = 'o';
    /** Store the top of the stack in the memo at an index given as decimal text. */
    public static final int PUT = 'p';
    /** Store the top of the stack in the memo at a one-byte unsigned index. */
    public static final int BINPUT = 'q';
    /** Store the top of the stack in the memo at a four-byte unsigned index. */
    public static final int LONG_BINPUT = 'r';
    /** Pop a value and a key and set them in the dict below them. */
    public static final int SETITEM = 's';
    /** Build a tuple from the items above the topmost mark. */
    public static final int TUPLE = 't';
    /** Push an empty tuple. */
    public static final int EMPTY_TUPLE = ')';
    /** Pop the key-value pairs above the topmost mark and set them in the dict below the mark. */
    public static final int SETITEMS = 'u';
    /** Push a float from eight big-endian IEEE 754 bytes. */
    public static final int BINFLOAT = 'G';

    // ---- protocol 2 ---------------------------------------------------------------------------

    /** Identify the protocol version (one byte). */
    public static final int PROTO = 0x80;
    /** Pop an argument tuple and a class; push cls.__new__(cls, *args). */
    public static final int NEWOBJ = 0x81;
    /** Push the object registered under a one-byte extension code (not supported). */
    public static final int EXT1 = 0x82;
    /** Push the object registered under a two-byte extension code (not supported). */
    public static final int EXT2 = 0x83;
    /** Push the object registered under a four-byte extension code (not supported). */
    public static final int EXT4 = 0x84;
    /** Build a one-element tuple from the top of the stack. */
    public static final int TUPLE1 = 0x85;
    /** Build a two-element tuple from the top two stack items. */
    public static final int TUPLE2 = 0x86;
    /** Build a three-element tuple from the top three stack items. */
    public static final int TUPLE3 = 0x87;
    /** Push True. */
    public static final int NEWTRUE = 0x88;
    /** Push False. */
    public static final int NEWFALSE = 0x89;
    /** Push an int of any size: one-byte length, then little-endian two's complement bytes. */
    public static final int LONG1 = 0x8a;
    /** Push an int of any size: four-byte signed length, then little-endian two's complement bytes. */
    public static final int LONG4 = 0x8b;

    // ---- protocol 3 ---------------------------------------------------------------------------

    /** Push bytes with a four-byte unsigned length. */
    public static final int BINBYTES = 'B';
    /** Push bytes with a one-byte length. */
    public static final int SHORT_BINBYTES = 'C';

    // ---- protocol 4 ---------------------------------------------------------------------------

    /** Push a str in UTF-8 with a one-byte length. */
    public static final int SHORT_BINUNICODE = 0x8c;
    /** Push a str in UTF-8 with an eight-byte unsigned length. */
    public static final int BINUNICODE8 = 0x8d;
    /** Push bytes with an eight-byte unsigned length. */
    public static final int BINBYTES8 = 0x8e;
    /** Push an empty set. */
    public static final int EMPTY_SET = 0x8f;
    /** Pop the items above the topmost mark and add them to the set below the mark. */
    public static final int ADDITEMS = 0x90;
    /** Build a frozenset from the items above the topmost mark. */
    public static final int FROZENSET = 0x91;
    /** Pop a kwargs dict, an argument tuple and a class; push cls.__new__(cls, *args, **kwargs). */
    public static final int NEWOBJ_EX = 0x92;
    /** Pop a name and a module (both str); push the global module.name. */
    public static final int STACK_GLOBAL = 0x93;
    /** Store the top of the stack in the memo at the next index (the memo's size). */
    public static final int MEMOIZE = 0x94;
    /** Announce a frame of the given eight-byte length (a buffering hint; no effect on the stack). */
    public static final int FRAME = 0x95;

    // ---- protocol 5 ---------------------------------------------------------------------------

    /** Push a bytearray with an eight-byte unsigned length. */
    public static final int BYTEARRAY8 = 0x96;
    /** Push the next out-of-band buffer (not supported: files hold no out-of-band buffers). */
    public static final int NEXT_BUFFER = 0x97;
    /** Make the buffer on top of the stack read-only (not supported with NEXT_BUFFER). */
    public static final int READONLY_BUFFER = 0x98;

    /** Returns the pickletools name of an opcode, or a hex form for an unknown byte. */
    public static String name(int op) {
        return switch (op) {
            case MARK -> "MARK";
            case STOP -> "STOP";
            case POP -> "POP";
            case POP_MARK -> "POP_MARK";
            case DUP -> "DUP";
            case FLOAT -> "FLOAT";
            case INT -> "INT";
            case BININT -> "BININT";
            case BININT1 -> "BININT1";
            case LONG -> "LONG";
            case BININT2 -> "BININT2";
            case NONE -> "NONE";
            case PERSID -> "PERSID";
            case BINPERSID -> "BINPERSID";
            case REDUCE -> "REDUCE";
            case STRING -> "STRING";
            case BINSTRING -> "BINSTRING";
            case SHORT_BINSTRING -> "SHORT_BINSTRING";
            case UNICODE -> "UNICODE";
            case BINUNICODE -> "BINUNICODE";
            case APPEND -> "APPEND";
            case BUILD -> "BUILD";
            case GLOBAL -> "GLOBAL";
            case DICT -> "DICT";
            case EMPTY_DICT -> "EMPTY_DICT";
            case APPENDS -> "APPENDS";
            case GET -> "GET";
            case BINGET -> "BINGET";
            case INST -> "INST";
            case LONG_BINGET -> "LONG_BINGET";
            case LIST -> "LIST";
            case EMPTY_LIST -> "EMPTY_LIST";
            case OBJ -> "OBJ";
            case PUT -> "PUT";
            case BINPUT -> "BINPUT";
            case LONG_BINPUT -> "LONG_BINPUT";
            case SETITEM -> "SETITEM";
            case TUPLE -> "TUPLE";
            case EMPTY_TUPLE -> "EMPTY_TUPLE";
            case SETITEMS -> "SETITEMS";
            case BINFLOAT -> "BINFLOAT";
            case PROTO -> "PROTO";
            case NEWOBJ -> "NEWOBJ";
            case EXT1 -> "EXT1";
            case EXT2 -> "EXT2";
            case EXT4 -> "EXT4";
            case TUPLE1 -> "TUPLE1";
            case TUPLE2 -> "TUPLE2";
            case TUPLE3 -> "TUPLE3";
            case NEWTRUE -> "NEWTRUE";
            case NEWFALSE -> "NEWFALSE";
            case LONG1 -> "LONG1";
            case LONG4 -> "LONG4";
            case BINBYTES -> "BINBYTES";
            case SHORT_BINBYTES -> "SHORT_BINBYTES";
            case SHORT_BINUNICODE -> "SHORT_BINUNICODE";
            case BINUNICODE8 -> "BINUNICODE8";
            case BINBYTES8 -> "BINBYTES8";
            case EMPTY_SET -> "EMPTY_SET";
            case ADDITEMS -> "ADDITEMS";
            case FROZENSET -> "FROZENSET";
            case NEWOBJ_EX -> "NEWOBJ_EX";
            case STACK_GLOBAL -> "STACK_GLOBAL";
            case MEMOIZE -> "MEMOIZE";
            case FRAME -> "FRAME";
            case BYTEARRAY8 -> "BYTEARRAY8";
            case NEXT_BUFFER -> "NEXT_BUFFER";
            case READONLY_BUFFER -> "READONLY_BUFFER";
            default -> String.format("unknown opcode 0x%02x", op);
        };
    }
}
