// The .flyte language (LANGUAGE.md sections 2-5).
//
// The parser rules below are what flytec parses with. The lexer rules describe the
// tokens; flytec lexes with a hand-written lexer (frontend/Lexer.cpp) that produces
// exactly these token types, reports malformed literals (E0002) and attaches doc
// comments. Decisions are kept to a few tokens of lookahead so that SLL prediction
// succeeds on every valid program.
grammar Flyte;

// Every element the AST builder reads carries a label, so that the generated contexts
// hold it in a field: the builder never searches a context's children, and the parser
// need not build children lists at all (frontend/Parser.cpp turns them off on the fast
// path).

// ---------------------------------------------------------------- files
file        : mod=moduleDecl? imports+=importDecl* decls+=decl* EOF ;
moduleDecl  : 'module' name=qualName ';' ;
importDecl  : 'import' path=qualName
              ( 'as' alias=IDENT | lb='.{' names+=IDENT ( ',' names+=IDENT )* ','? '}' )? ';' ;
qualName    : parts+=IDENT ( '.' parts+=IDENT )* ;

// ---------------------------------------------------------------- declarations
decl        : anns+=annotation*
              ( s=structDecl | e=enumDecl | a=aliasDecl | t=taskDecl | w=workflowDecl | l=launchDecl ) ;
annotation  : '@' name=IDENT ( lp='(' ( args+=arg ( ',' args+=arg )* ','? )? ')' )? ;
structDecl  : 'struct' name=IDENT '{' ( fields+=field ( ',' fields+=field )* ','? )? '}' ;
field       : name=IDENT ':' ty=type ;
enumDecl    : 'enum' name=IDENT '{' ( members+=IDENT ( ',' members+=IDENT )* ','? )? '}' ;
aliasDecl   : 'type' name=IDENT '=' ty=type ';' ;
taskDecl    : 'task' name=IDENT '(' params=paramList? ')' ( '->' outs=outputs )? '{' body=runner '}' ;
workflowDecl: head=workflowHead stmts+=stmt* '}' ;
// A workflow's signature up to its opening brace. frontend/Parser.cpp parses large
// workflows as this, then one statement at a time, so that memory stays bounded
// however long the body is.
workflowHead: 'workflow' name=IDENT '(' params=paramList? ')' ( '->' outs=outputs )? '{' ;
annotations : anns+=annotation* ;
launchDecl  : 'launch' name=IDENT '=' call=expr ';' ;
paramList   : items+=param ( ',' items+=param )* ','? ;
param       : name=IDENT ':' ty=type ( '=' value=expr )? ;
outputs     : lp='(' fields+=field ( ',' fields+=field )* ','? ')'
            | single=type
            ;
// The runner word (shell, cpp, builtin) is checked when the AST is built, so that a
// misspelt runner gets a precise message rather than a generic syntax error.
runner      : word=IDENT ( args+=stringLit | lp='(' ( args+=stringLit ( ',' args+=stringLit )* ','? )? ')' ) ;

// ---------------------------------------------------------------- types
type        : name=qualName ( lt='<' args+=typeArg ( ',' args+=typeArg )* '>' )? optional='?'? ;
typeArg     : ty=type | sh=shape ;
shape       : '[' ( dims+=dim ( ',' dims+=dim )* ','? )? ']' ;
dim         : value=( INT | IDENT | '?' ) ;

// ---------------------------------------------------------------- statements
stmt        : let=letStmt
            | 'return' value=expr ';'?
            ;
letStmt     : anns+=annotation* 'let' ( names+=IDENT | lp='(' names+=IDENT ( ',' names+=IDENT )* ','? ')' )
              '=' value=expr ';'? ;
block       : '{' lets+=letStmt* value=expr '}' ;

// ---------------------------------------------------------------- expressions
// Alternatives are listed tightest first; see LANGUAGE.md section 5 for the precedence.
// The grammar is shaped for speed: every primary is chosen by its first token (a
// struct value is a postfix `{ f = … }` on a name, and parentheses hold arguments
// whether they turn out to be a parenthesized expression or a named tuple), and leaves
// are alternatives of `expr` itself, so a leaf costs one context. The AST builder
// checks what the grammar leaves open.
expr        : base=expr '.' name=IDENT                                          # fieldExpr
            | callee=expr '(' ( args+=arg ( ',' args+=arg )* ','? )? ')'        # callExpr
            | ty=expr '{' ( fields+=fieldInit ( ',' fields+=fieldInit )* ','? )? '}'  # structExpr
            | op='-' operand=expr                                               # negExpr
            | lhs=expr op=( '*' | '/' ) rhs=expr                                # mulExpr
            | lhs=expr op=( '+' | '-' ) rhs=expr                                # addExpr
            | lhs=expr op=( '==' | '!=' | '<' | '<=' | '>' | '>=' ) rhs=expr    # cmpExpr
            | op='not' operand=expr                                             # notExpr
            | lhs=expr op='and' rhs=expr                                        # andExpr
            | lhs=expr op='or' rhs=expr                                         # orExpr
            | value=( INT | FLOAT | DURATION | SIZE | STRING | RAW_STRING
                    | 'true' | 'false' | 'none' )                               # literalExpr
            | name=IDENT                                                        # nameExpr
            | '(' items+=arg ( ',' items+=arg )* trailing=','? ')'              # parenExpr
            | '[' ( items+=expr ( ',' items+=expr )* ','? )? ']'                # listExpr
            | '{' ( entries+=mapEntry ( ',' entries+=mapEntry )* ','? )? '}'    # mapExpr
            | 'if' conds+=expr bodies+=block ( 'else' 'if' conds+=expr bodies+=block )*
              'else' bodies+=block                                              # ifExpr
            | 'for' var=IDENT 'in' iterable=expr body=block                     # forExpr
            | 'fail' '(' message=expr ')'                                       # failExpr
            ;
// `x` or `name = x`; the builder checks that a name before '=' is a plain name.
arg         : first=expr ( '=' second=expr )? ;
fieldInit   : name=IDENT '=' value=expr ;
mapEntry    : key=stringLit ':' value=expr ;
stringLit   : value=( STRING | RAW_STRING ) ;

// ---------------------------------------------------------------- tokens
MODULE : 'module' ; IMPORT : 'import' ; AS : 'as' ; STRUCT : 'struct' ; ENUM : 'enum' ;
TYPE : 'type' ; TASK : 'task' ; WORKFLOW : 'workflow' ; LAUNCH : 'launch' ; LET : 'let' ;
RETURN : 'return' ; IF : 'if' ; ELSE : 'else' ; FOR : 'for' ; IN : 'in' ; TRUE : 'true' ;
FALSE : 'false' ; NONE : 'none' ; AND : 'and' ; OR : 'or' ; NOT : 'not' ; FAIL : 'fail' ;

LPAREN : '(' ; RPAREN : ')' ; LBRACE : '{' ; RBRACE : '}' ; LBRACK : '[' ; RBRACK : ']' ;
LT : '<' ; GT : '>' ; LE : '<=' ; GE : '>=' ; EQ : '==' ; NE : '!=' ; ASSIGN : '=' ;
COMMA : ',' ; DOT_LBRACE : '.{' ; SEMI : ';' ; COLON : ':' ; DOT : '.' ; AT : '@' ; QUESTION : '?' ;
ARROW : '->' ; PLUS : '+' ; MINUS : '-' ; STAR : '*' ; SLASH : '/' ;

DURATION   : ( DEC | DEC '.' DIGITS ) ( 'ms' | 's' | 'm' | 'h' | 'd' ) ;
SIZE       : ( DEC | DEC '.' DIGITS ) ( 'Ki' | 'Mi' | 'Gi' | 'Ti' | 'K' | 'M' | 'G' | 'T' ) ;
FLOAT      : DEC '.' DIGITS EXPONENT? | DEC EXPONENT ;
INT        : DEC | '0' [xX] [0-9a-fA-F_]+ ;
RAW_STRING : '"""' .*? '"""' ;
STRING     : '"' ( '\\' . | ~["\\\r\n] )* '"' ;
IDENT      : [A-Za-z_] [A-Za-z0-9_]* ;

DOC_COMMENT   : '///' ~[\r\n]* -> channel(HIDDEN) ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;

fragment DEC      : [0-9] [0-9_]* ;
fragment DIGITS   : [0-9] [0-9_]* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
