// The .flyte language (LANGUAGE.md sections 2-5).
//
// The parser rules below are what flytec parses with. The lexer rules describe the
// tokens; flytec lexes with a hand-written lexer (frontend/Lexer.cpp) that produces
// exactly these token types, reports malformed literals (E0002) and attaches doc
// comments. Decisions are kept to a few tokens of lookahead so that SLL prediction
// succeeds on every valid program.
grammar Flyte;

// ---------------------------------------------------------------- files
file        : moduleDecl? importDecl* decl* EOF ;
moduleDecl  : 'module' qualName ';' ;
importDecl  : 'import' qualName ( 'as' alias=IDENT | '.' '{' IDENT ( ',' IDENT )* ','? '}' )? ';' ;
qualName    : IDENT ( '.' IDENT )* ;

// ---------------------------------------------------------------- declarations
decl        : annotation* ( structDecl | enumDecl | aliasDecl | taskDecl | workflowDecl | launchDecl ) ;
annotation  : '@' IDENT ( '(' ( annotationArg ( ',' annotationArg )* ','? )? ')' )? ;
annotationArg : ( IDENT '=' )? expr ;
structDecl  : 'struct' IDENT '{' ( field ( ',' field )* ','? )? '}' ;
field       : IDENT ':' type ;
enumDecl    : 'enum' IDENT '{' ( IDENT ( ',' IDENT )* ','? )? '}' ;
aliasDecl   : 'type' IDENT '=' type ';' ;
taskDecl    : 'task' IDENT '(' paramList? ')' ( '->' outputs )? '{' runner '}' ;
workflowDecl: 'workflow' IDENT '(' paramList? ')' ( '->' outputs )? '{' stmt* '}' ;
launchDecl  : 'launch' IDENT '=' expr ';' ;
paramList   : param ( ',' param )* ','? ;
param       : IDENT ':' type ( '=' expr )? ;
outputs     : '(' field ( ',' field )* ','? ')'
            | type
            ;
// The runner word (shell, cpp, builtin) is checked when the AST is built, so that a
// misspelt runner gets a precise message rather than a generic syntax error.
runner      : IDENT ( stringLit | '(' ( stringLit ( ',' stringLit )* ','? )? ')' ) ;

// ---------------------------------------------------------------- types
type        : qualName ( '<' typeArg ( ',' typeArg )* '>' )? optional='?'? ;
typeArg     : type | shape ;
shape       : '[' ( dim ( ',' dim )* ','? )? ']' ;
dim         : INT | IDENT | '?' ;

// ---------------------------------------------------------------- statements
stmt        : letStmt
            | 'return' expr ';'?
            ;
letStmt     : annotation* 'let' ( IDENT | '(' IDENT ( ',' IDENT )* ','? ')' ) '=' expr ';'? ;
block       : '{' letStmt* expr '}' ;

// ---------------------------------------------------------------- expressions
// Alternatives are listed tightest first; see LANGUAGE.md section 5 for the precedence.
expr        : expr '.' IDENT                                         # fieldExpr
            | expr '(' ( arg ( ',' arg )* ','? )? ')'                # callExpr
            | '-' expr                                               # negExpr
            | expr op=( '*' | '/' ) expr                             # mulExpr
            | expr op=( '+' | '-' ) expr                             # addExpr
            | expr op=( '==' | '!=' | '<' | '<=' | '>' | '>=' ) expr # cmpExpr
            | 'not' expr                                             # notExpr
            | expr 'and' expr                                        # andExpr
            | expr 'or' expr                                         # orExpr
            | primary                                                # primaryExpr
            ;
arg         : ( IDENT '=' )? expr ;
primary     : literal                                                          # literalExpr
            | qualName '{' ( fieldInit ( ',' fieldInit )* ','? )? '}'          # structExpr
            | IDENT                                                            # nameExpr
            | '(' expr ')'                                                     # parenExpr
            | '(' fieldInit ( ',' fieldInit )* ','? ')'                        # tupleExpr
            | '[' ( expr ( ',' expr )* ','? )? ']'                             # listExpr
            | '{' ( mapEntry ( ',' mapEntry )* ','? )? '}'                     # mapExpr
            | 'if' expr block ( 'else' 'if' expr block )* 'else' block         # ifExpr
            | 'for' IDENT 'in' expr block                                      # forExpr
            | 'fail' '(' expr ')'                                              # failExpr
            ;
fieldInit   : IDENT '=' expr ;
mapEntry    : stringLit ':' expr ;
literal     : INT | FLOAT | DURATION | SIZE | stringLit | 'true' | 'false' | 'none' ;
stringLit   : STRING | RAW_STRING ;

// ---------------------------------------------------------------- tokens
MODULE : 'module' ; IMPORT : 'import' ; AS : 'as' ; STRUCT : 'struct' ; ENUM : 'enum' ;
TYPE : 'type' ; TASK : 'task' ; WORKFLOW : 'workflow' ; LAUNCH : 'launch' ; LET : 'let' ;
RETURN : 'return' ; IF : 'if' ; ELSE : 'else' ; FOR : 'for' ; IN : 'in' ; TRUE : 'true' ;
FALSE : 'false' ; NONE : 'none' ; AND : 'and' ; OR : 'or' ; NOT : 'not' ; FAIL : 'fail' ;

LPAREN : '(' ; RPAREN : ')' ; LBRACE : '{' ; RBRACE : '}' ; LBRACK : '[' ; RBRACK : ']' ;
LT : '<' ; GT : '>' ; LE : '<=' ; GE : '>=' ; EQ : '==' ; NE : '!=' ; ASSIGN : '=' ;
COMMA : ',' ; SEMI : ';' ; COLON : ':' ; DOT : '.' ; AT : '@' ; QUESTION : '?' ;
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
